import { randomUUID } from "node:crypto";
import { QueryTypes, UniqueConstraintError, type Transaction } from "sequelize";
import type { Services } from "../../core/services";
import { decide, type Decision, type IncidentState, type PagingPolicy } from "./lifecycle";
import type { BuildPhase } from "../../core/build-phase";
import type { IncidentIdentity } from "./identity";
import type { StatusSnapshot } from "./snapshot";
import type { TargetId } from "./settings";

export const NOTIFY_JOB = "build-alerts.notify";

/** One incident identity's row in `build_alert_incidents`. */
export interface IncidentRow {
  id: string;
  installation_id: string;
  repository_uuid: string;
  identity_hash: string;
  ref: string | null;
  status_key: string;
  dedup_key: string;
  state: IncidentState;
  seq: number;
  opens: number;
  commit_hash: string | null;
  last_status: string;
  last_status_at: number;
  sent_alertops: IncidentState | null;
  sent_pagerduty: IncidentState | null;
  sent_webhook: IncidentState | null;
  opened_at: number | null;
  closed_at: number | null;
  updated_at: number;
}

export interface NotifyJob {
  incidentId: string;
  seq: number;
  target: TargetId;
}

export interface StatusInput {
  installationId: string;
  repositoryUuid: string;
  identity: IncidentIdentity;
  snapshot: StatusSnapshot;
  eventAt: number;
  /** Targets switched on now: each gets a notify job when the incident opens or closes. */
  targets: TargetId[];
  /** The repository's paging policy and whether the status's build is still running. */
  policy?: PagingPolicy;
  phase?: BuildPhase;
  deliveryId: string | null;
}

export function parseSnapshot(row: IncidentRow): StatusSnapshot {
  return JSON.parse(row.last_status) as StatusSnapshot;
}

async function selectRow(services: Services, where: string, replacements: Record<string, unknown>, transaction?: Transaction) {
  const lock = transaction && services.db.dialect === "postgres" ? " FOR UPDATE" : "";
  const rows = (await services.db.sequelize.query(`SELECT * FROM build_alert_incidents WHERE ${where}${lock}`, {
    replacements,
    type: QueryTypes.SELECT,
    transaction,
  })) as IncidentRow[];
  return rows[0] ?? null;
}

export function findIncident(services: Services, installationId: string, id: string): Promise<IncidentRow | null> {
  return selectRow(services, "id = :id AND installation_id = :installationId", { id, installationId });
}

export async function listIncidents(services: Services, installationId: string, repositoryUuid: string): Promise<IncidentRow[]> {
  return (await services.db.sequelize.query(
    "SELECT * FROM build_alert_incidents WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid ORDER BY updated_at DESC",
    { replacements: { installationId, repositoryUuid }, type: QueryTypes.SELECT },
  )) as IncidentRow[];
}

/** Records what a target now has (after it answered 2xx). */
export async function markSent(services: Services, id: string, target: TargetId, state: IncidentState): Promise<void> {
  await services.db.sequelize.query(`UPDATE build_alert_incidents SET sent_${target} = :state WHERE id = :id`, {
    replacements: { id, state },
  });
}

async function applyOnce(services: Services, input: StatusInput): Promise<{ decision: Decision; incident: IncidentRow | null }> {
  return services.db.transaction(async (transaction) => {
    const key = { installationId: input.installationId, repositoryUuid: input.repositoryUuid, hash: input.identity.hash };
    const row = await selectRow(
      services,
      "installation_id = :installationId AND repository_uuid = :repositoryUuid AND identity_hash = :hash",
      key,
      transaction,
    );
    const decision = decide(input.snapshot.state, row ? { state: row.state, lastStatusAt: Number(row.last_status_at) } : null, input.eventAt, input.policy, input.phase);
    const now = Date.now();
    const status = JSON.stringify(input.snapshot);
    if (decision.kind === "ignore") {
      // Remember the newest status seen, so that a late, older FAILED cannot open an incident.
      if (!row) {
        await insert(services, transaction, { ...key, id: randomUUID(), input, state: "closed", seq: 0, opens: 0, status, now });
      } else if (input.eventAt >= Number(row.last_status_at)) {
        await services.db.sequelize.query(
          "UPDATE build_alert_incidents SET last_status_at = :at, updated_at = :now WHERE id = :id",
          { replacements: { at: input.eventAt, now, id: row.id }, transaction },
        );
      }
      return { decision, incident: row };
    }
    const opening = decision.kind === "open";
    const id = row?.id ?? randomUUID();
    const seq = (row?.seq ?? 0) + 1;
    if (!row) {
      await insert(services, transaction, { ...key, id, input, state: "open", seq, opens: 1, status, now });
    } else {
      await services.db.sequelize.query(
        `UPDATE build_alert_incidents
            SET state = :state, seq = :seq, opens = opens + :opened, last_status = :status, last_status_at = :at,
                commit_hash = COALESCE(:commit, commit_hash),
                opened_at = CASE WHEN :opened = 1 THEN :now ELSE opened_at END,
                closed_at = CASE WHEN :opened = 1 THEN NULL ELSE :now END,
                updated_at = :now
          WHERE id = :id`,
        {
          replacements: {
            id,
            state: opening ? "open" : "closed",
            seq,
            opened: opening ? 1 : 0,
            status,
            at: input.eventAt,
            commit: opening ? input.snapshot.commit : null,
            now,
          },
          transaction,
        },
      );
    }
    await services.queue.enqueue(
      input.targets.map((target) => ({
        installationId: input.installationId,
        deliveryId: input.deliveryId,
        repositoryUuid: input.repositoryUuid,
        handler: NOTIFY_JOB,
        integration: "build-alerts",
        payload: { incidentId: id, seq, target } satisfies NotifyJob,
        dedupeKey: `build-alerts:${id}:${seq}:${target}`,
        maxAttempts: services.config.worker.maxAttempts,
      })),
      transaction,
    );
    const incident = await selectRow(services, "id = :id", { id }, transaction);
    return { decision, incident };
  });
}

async function insert(
  services: Services,
  transaction: Transaction,
  r: { id: string; installationId: string; repositoryUuid: string; hash: string; input: StatusInput; state: IncidentState; seq: number; opens: number; status: string; now: number },
): Promise<void> {
  const open = r.state === "open";
  await services.db.sequelize.query(
    `INSERT INTO build_alert_incidents
       (id, installation_id, repository_uuid, identity_hash, ref, status_key, dedup_key, state, seq, opens, commit_hash,
        last_status, last_status_at, opened_at, closed_at, updated_at)
     VALUES (:id, :installationId, :repositoryUuid, :hash, :ref, :statusKey, :dedupKey, :state, :seq, :opens, :commit,
        :status, :at, :openedAt, NULL, :now)`,
    {
      replacements: {
        id: r.id,
        installationId: r.installationId,
        repositoryUuid: r.repositoryUuid,
        hash: r.hash,
        ref: r.input.identity.ref,
        statusKey: r.input.identity.statusKey,
        dedupKey: r.input.identity.dedupKey,
        state: r.state,
        seq: r.seq,
        opens: r.opens,
        commit: open ? r.input.snapshot.commit : null,
        status: r.status,
        at: r.input.eventAt,
        openedAt: open ? r.now : null,
        now: r.now,
      },
      transaction,
    },
  );
}

/**
 * Applies one commit status to its incident in one transaction (row locked on PostgreSQL): the decision,
 * the new state and the notify jobs commit together, so restarts and several instances agree and a
 * redelivered webhook finds the incident already in its state (a duplicate).
 */
export async function applyStatus(services: Services, input: StatusInput): Promise<{ decision: Decision; incident: IncidentRow | null }> {
  try {
    return await applyOnce(services, input);
  } catch (err) {
    // Two instances inserted the same new identity at once: the loser reads the winner's row.
    if (err instanceof UniqueConstraintError) return applyOnce(services, input);
    throw err;
  }
}

export function registerIncidentPurge(services: Services): void {
  services.installations.onPurge(async (installationId) => {
    await services.db.sequelize.query("DELETE FROM build_alert_incidents WHERE installation_id = :installationId", {
      replacements: { installationId },
    });
  });
}
