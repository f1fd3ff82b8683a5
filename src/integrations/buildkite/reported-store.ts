import { createHash, randomUUID } from "node:crypto";
import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../../db/database";
import type { BuildStatusReport } from "../../bitbucket/host-api";
import { compareEvents, type EventPosition } from "./ordering";

/** Width of `buildkite_reported_statuses.status_key` (migration 0100: Cloud's 40-character keys). */
export const STORED_KEY_MAX = 40;

/**
 * The slot's key as stored: the status key itself when it fits the column (every Cloud key, so Cloud
 * rows are unchanged), else `#` and the first 39 hex of its sha256 (Data Center keys reach 255
 * characters). The full key stays in `status_body`. Used by every query of the table.
 */
export function storedKey(key: string): string {
  return key.length <= STORED_KEY_MAX ? key : `#${createHash("sha256").update(key).digest("hex").slice(0, STORED_KEY_MAX - 1)}`;
}

export interface StatusSlot {
  installationId: string;
  repositoryUuid: string;
  commit: string;
  key: string;
}

export interface WantedStatus extends EventPosition {
  eventId: string;
  buildState: string;
  status: BuildStatusReport;
}

export type Claim =
  | { kind: "report" }
  | { kind: "duplicate" }
  | { kind: "stale"; current: { buildNumber: number; buildState: string } };

interface Row {
  id: string;
  build_number: number;
  build_state: string;
  state_rank: number;
  occurred_at: number | string;
  event_id: string;
  status_body: string;
  reported_event_id: string | null;
}

/**
 * The no-regression state in `buildkite_reported_statuses`. A report first *claims* its slot (the
 * newest accepted event wins, in one transaction), then posts, then *confirms*. If a newer event
 * claimed the slot while this one was posting, confirm returns it so the caller re-posts it: the last
 * status Bitbucket receives is always the newest one, across workers and instances.
 */
export class ReportedStatusStore {
  constructor(private readonly db: Database) {}

  private async row(given: StatusSlot, transaction: Transaction): Promise<Row | null> {
    const slot = { ...given, key: storedKey(given.key) };
    const lock = this.db.dialect === "postgres" ? "FOR UPDATE" : "";
    const rows = await this.db.sequelize.query<Row>(
      `SELECT id, build_number, build_state, state_rank, occurred_at, event_id, status_body, reported_event_id
         FROM buildkite_reported_statuses
        WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid
          AND commit_hash = :commit AND status_key = :key ${lock}`,
      { replacements: { ...slot }, type: QueryTypes.SELECT, transaction },
    );
    return rows[0] ?? null;
  }

  async claim(slot: StatusSlot, wanted: WantedStatus): Promise<Claim> {
    return this.db.transaction(async (transaction) => {
      const row = await this.row(slot, transaction);
      const values = {
        buildNumber: wanted.buildNumber,
        buildState: wanted.buildState,
        rank: wanted.rank,
        occurredAt: wanted.occurredAt,
        eventId: wanted.eventId,
        body: JSON.stringify(wanted.status),
        now: Date.now(),
      };
      if (!row) {
        await this.db.sequelize.query(
          `INSERT INTO buildkite_reported_statuses
             (id, installation_id, repository_uuid, commit_hash, status_key, build_number, build_state, state_rank,
              occurred_at, event_id, status_body, reported_event_id, reported_at, updated_at)
           VALUES (:id, :installationId, :repositoryUuid, :commit, :key, :buildNumber, :buildState, :rank,
              :occurredAt, :eventId, :body, NULL, NULL, :now)`,
          { replacements: { id: randomUUID(), ...slot, key: storedKey(slot.key), ...values }, transaction },
        );
        return { kind: "report" };
      }
      if (row.event_id === wanted.eventId) return row.reported_event_id === wanted.eventId ? { kind: "duplicate" } : { kind: "report" };
      const current: EventPosition = { buildNumber: Number(row.build_number), occurredAt: Number(row.occurred_at), rank: Number(row.state_rank) };
      if (compareEvents(wanted, current) <= 0) {
        return { kind: "stale", current: { buildNumber: current.buildNumber, buildState: row.build_state } };
      }
      await this.db.sequelize.query(
        `UPDATE buildkite_reported_statuses
            SET build_number = :buildNumber, build_state = :buildState, state_rank = :rank, occurred_at = :occurredAt,
                event_id = :eventId, status_body = :body, updated_at = :now
          WHERE id = :id`,
        { replacements: { id: row.id, ...values }, transaction },
      );
      return { kind: "report" };
    });
  }

  /**
   * Records that Bitbucket has the status of `eventId`. Returns null when that is still the newest
   * event of the slot, else the newer event's status, which the caller must post (again).
   */
  async confirm(slot: StatusSlot, eventId: string): Promise<{ eventId: string; status: BuildStatusReport } | null> {
    // One conditional statement in the common case (the slot still holds this event): atomic without
    // a transaction. Otherwise the slot moved on (or is gone): read what it holds now.
    const confirmed = await this.db.sequelize.query(
      `UPDATE buildkite_reported_statuses SET reported_event_id = :eventId, reported_at = :now
        WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid
          AND commit_hash = :commit AND status_key = :key AND event_id = :eventId
       RETURNING id`,
      { replacements: { ...slot, key: storedKey(slot.key), eventId, now: Date.now() }, type: QueryTypes.SELECT },
    );
    if (confirmed.length) return null;
    const row = await this.db.transaction((transaction) => this.row(slot, transaction));
    if (!row || row.event_id === eventId) return null;
    return { eventId: row.event_id, status: JSON.parse(row.status_body) as BuildStatusReport };
  }

  /** What is recorded for a slot (the activity view and tests). */
  async get(slot: StatusSlot): Promise<{ buildNumber: number; buildState: string; eventId: string; reportedEventId: string | null } | null> {
    const row = await this.db.transaction((transaction) => this.row(slot, transaction));
    return row
      ? { buildNumber: Number(row.build_number), buildState: row.build_state, eventId: row.event_id, reportedEventId: row.reported_event_id }
      : null;
  }

  /** Uninstall (SQLite does not enforce the ON DELETE CASCADE). */
  async purge(installationId: string): Promise<void> {
    await this.db.sequelize.query(`DELETE FROM buildkite_reported_statuses WHERE installation_id = :installationId`, {
      replacements: { installationId },
    });
  }
}
