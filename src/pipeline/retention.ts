import { Op, QueryTypes } from "sequelize";
import { Delivery, Job, OutboundCallRecord } from "../models";
import type { Services } from "../core/services";
import { unlinkDeliveries } from "./delivery-links";

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;

export interface PruneResult {
  cutoff: number;
  jobs: number;
  deliveries: number;
  calls: number;
}

/**
 * Deletes activity older than the retention period (`ACTIVITY_RETENTION_DAYS`, default 30):
 * finished jobs (done / ignored / dead) with their outbound calls and replay records, then
 * deliveries that no remaining job refers to. Waiting or running work is never deleted, nor is the
 * delivery it belongs to. Works in small batches so that the worker is not blocked for long.
 */
export async function pruneActivity(services: Services, now = Date.now(), retentionDays = services.config.activityRetentionDays): Promise<PruneResult> {
  const cutoff = now - retentionDays * DAY_MS;
  const { sequelize } = services.db;
  const out: PruneResult = { cutoff, jobs: 0, deliveries: 0, calls: 0 };
  for (;;) {
    const ids = (
      (await sequelize.query(
        `SELECT id FROM jobs WHERE status IN ('done', 'ignored', 'dead') AND COALESCE(finished_at, updated_at) < :cutoff LIMIT :batch`,
        { replacements: { cutoff, batch: BATCH }, type: QueryTypes.SELECT },
      )) as Array<{ id: string }>
    ).map((r) => r.id);
    if (!ids.length) break;
    await services.db.transaction(async (transaction) => {
      out.calls += await OutboundCallRecord.destroy({ where: { jobId: { [Op.in]: ids } }, transaction });
      await sequelize.query(`DELETE FROM job_replays WHERE job_id IN (:ids)`, { replacements: { ids }, transaction });
      out.jobs += await Job.destroy({ where: { id: { [Op.in]: ids } }, transaction });
    });
    if (ids.length < BATCH) break;
  }
  for (;;) {
    const ids = (
      (await sequelize.query(
        `SELECT d.id FROM deliveries d WHERE d.received_at < :cutoff
            AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.delivery_id = d.id) LIMIT :batch`,
        { replacements: { cutoff, batch: BATCH }, type: QueryTypes.SELECT },
      )) as Array<{ id: string }>
    ).map((r) => r.id);
    if (!ids.length) break;
    out.deliveries += await services.db.transaction(async (transaction) => {
      await unlinkDeliveries(services.db, ids, transaction);
      return Delivery.destroy({ where: { id: { [Op.in]: ids } }, transaction });
    });
    if (ids.length < BATCH) break;
  }
  return out;
}

export interface RetentionSchedule {
  stop(): Promise<void>;
}

/**
 * Runs `pruneActivity` shortly after start-up and then every `intervalMs` (default hourly). Several
 * instances may prune at once: deletes are by id and idempotent.
 */
export function startRetentionSchedule(services: Services, intervalMs = 60 * 60 * 1000, firstRunMs = 30_000): RetentionSchedule {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = pruneActivity(services)
      .then((r) => {
        if (r.jobs || r.deliveries) services.log.info({ ...r }, "pruned old activity");
      })
      .catch((err: unknown) => services.log.error({ err }, "pruning old activity failed"))
      .finally(() => (running = null));
  };
  const first = setTimeout(tick, firstRunMs);
  const every = setInterval(tick, intervalMs);
  first.unref();
  every.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
