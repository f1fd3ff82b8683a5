import { randomUUID } from "node:crypto";
import type { Transaction } from "sequelize";
import type { Database } from "../../db/database";
import type { ChatKind } from "./chat/targets";
import type { Slot } from "./schedule";
import { exec, select } from "./sql";

export type SlotStatus = "claimed" | "sent" | "empty" | "skipped" | "failed";

export interface SlotRecord {
  slotKey: string;
  slotAt: number;
  claimedBy: string;
  status: SlotStatus;
  sentTo: ChatKind[];
  pullRequests: number | null;
}

interface Row {
  slot_key: string;
  slot_at: number;
  claimed_by: string;
  status: SlotStatus;
  sent_to: string;
  pull_requests: number | null;
}

function toRecord(r: Row): SlotRecord {
  return {
    slotKey: r.slot_key,
    slotAt: Number(r.slot_at),
    claimedBy: r.claimed_by,
    status: r.status,
    sentTo: JSON.parse(r.sent_to) as ChatKind[],
    pullRequests: r.pull_requests === null ? null : Number(r.pull_requests),
  };
}

/**
 * Reminder slots claimed in the database: the primary key (installation, repository, slot) lets
 * exactly one instance insert a slot, so with several instances every slot is sent once.
 */
export class ReminderSlots {
  constructor(private readonly db: Database) {}

  /**
   * True when this caller won the slot. The insert does nothing when the slot exists; reading the
   * row back with a per-claim token tells who won (on PostgreSQL the losing insert waits for the
   * winner's commit).
   */
  async claim(installationId: string, repositoryUuid: string, slot: Slot, claimedBy: string, transaction?: Transaction, now = Date.now()): Promise<boolean> {
    const token = `${claimedBy}:${randomUUID().slice(0, 8)}`;
    const params = { installationId, repositoryUuid, key: slot.key, at: slot.at, token, now };
    await exec(
      this.db,
      `INSERT INTO review_radar_reminder_slots (installation_id, repository_uuid, slot_key, slot_at, claimed_by, claimed_at, status, sent_to)
            VALUES (:installationId, :repositoryUuid, :key, :at, :token, :now, 'claimed', '[]')
       ON CONFLICT (installation_id, repository_uuid, slot_key) DO NOTHING`,
      params,
      transaction,
    );
    const [row] = await select<{ claimed_by: string }>(
      this.db,
      `SELECT claimed_by FROM review_radar_reminder_slots
        WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid AND slot_key = :key`,
      params,
      transaction,
    );
    return row?.claimed_by === token;
  }

  async get(installationId: string, repositoryUuid: string, slotKey: string): Promise<SlotRecord | null> {
    const [row] = await select<Row>(
      this.db,
      `SELECT slot_key, slot_at, claimed_by, status, sent_to, pull_requests FROM review_radar_reminder_slots
        WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid AND slot_key = :slotKey`,
      { installationId, repositoryUuid, slotKey },
    );
    return row ? toRecord(row) : null;
  }

  async list(installationId: string, repositoryUuid: string): Promise<SlotRecord[]> {
    const rows = await select<Row>(
      this.db,
      `SELECT slot_key, slot_at, claimed_by, status, sent_to, pull_requests FROM review_radar_reminder_slots
        WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid ORDER BY slot_at`,
      { installationId, repositoryUuid },
    );
    return rows.map(toRecord);
  }

  async markSent(installationId: string, repositoryUuid: string, slotKey: string, sentTo: ChatKind[]): Promise<void> {
    await exec(
      this.db,
      `UPDATE review_radar_reminder_slots SET sent_to = :sentTo
        WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid AND slot_key = :slotKey`,
      { installationId, repositoryUuid, slotKey, sentTo: JSON.stringify(sentTo) },
    );
  }

  async finish(installationId: string, repositoryUuid: string, slotKey: string, status: SlotStatus, pullRequests: number | null, now = Date.now()): Promise<void> {
    await exec(
      this.db,
      `UPDATE review_radar_reminder_slots SET status = :status, pull_requests = :pullRequests, finished_at = :now
        WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid AND slot_key = :slotKey`,
      { installationId, repositoryUuid, slotKey, status, pullRequests, now },
    );
  }

  async prune(olderThan: number): Promise<void> {
    await exec(this.db, `DELETE FROM review_radar_reminder_slots WHERE claimed_at < :olderThan`, { olderThan });
  }

  async purge(installationId: string): Promise<void> {
    await exec(this.db, `DELETE FROM review_radar_reminder_slots WHERE installation_id = :installationId`, { installationId });
  }
}
