import { QueryTypes } from "sequelize";
import type { Services } from "../../core/services";

export interface ReplayRecord {
  jobId: string;
  replayOf: string;
  actor: string | null;
  at: number;
}

/** Records who replayed a job (table `job_replays`, migration 0600). */
export async function recordReplay(services: Services, installationId: string, r: ReplayRecord): Promise<void> {
  await services.db.sequelize.query(
    `INSERT INTO job_replays (job_id, installation_id, replay_of, actor, at) VALUES (:jobId, :installationId, :replayOf, :actor, :at)`,
    { replacements: { ...r, installationId }, type: QueryTypes.INSERT },
  );
}

/** Replay records of the given replay jobs, by job id. */
export async function replaysOf(services: Services, installationId: string, jobIds: string[]): Promise<Map<string, ReplayRecord>> {
  const out = new Map<string, ReplayRecord>();
  if (!jobIds.length) return out;
  const rows = (await services.db.sequelize.query(
    `SELECT job_id, replay_of, actor, at FROM job_replays WHERE installation_id = :installationId AND job_id IN (:jobIds)`,
    { replacements: { installationId, jobIds }, type: QueryTypes.SELECT },
  )) as Array<{ job_id: string; replay_of: string; actor: string | null; at: number | string }>;
  for (const r of rows) out.set(r.job_id, { jobId: r.job_id, replayOf: r.replay_of, actor: r.actor, at: Number(r.at) });
  return out;
}

/** SQLite does not enforce the cascade: uninstall removes the tenant's replay records explicitly. */
export async function purgeReplays(services: Services, installationId: string): Promise<void> {
  await services.db.sequelize.query(`DELETE FROM job_replays WHERE installation_id = :installationId`, {
    replacements: { installationId },
    type: QueryTypes.DELETE,
  });
}
