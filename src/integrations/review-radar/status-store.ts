import type { Database } from "../../db/database";
import type { CommitBuildStatus } from "../../bitbucket/host-api";
import type { BuildState, BuildSummary } from "./model";
import { exec, select } from "./sql";
import { sameName } from "../../core/names";

export interface StoredStatus {
  key: string;
  state: BuildState;
  name: string | null;
  url: string | null;
  updatedOn: string | null;
}

/** Statuses are keyed by the first 12 characters of the commit (what pull request lists carry). */
export function commitKey(hash: string): string {
  return hash.slice(0, 12).toLowerCase();
}

export function toStored(s: CommitBuildStatus): StoredStatus {
  return { key: s.key, state: s.state, name: s.name, url: s.url, updatedOn: s.updatedOn };
}

const SEVERITY: Record<BuildState, number> = { FAILED: 3, STOPPED: 2, INPROGRESS: 1, SUCCESSFUL: 0 };

/** The commit's build at a glance: the worst of its statuses (a failing build wins). */
export function summarize(statuses: StoredStatus[]): BuildSummary | null {
  if (!statuses.length) return null;
  const worst = [...statuses].sort((a, b) => SEVERITY[b.state] - SEVERITY[a.state] || (b.updatedOn ?? "").localeCompare(a.updatedOn ?? ""))[0]!;
  return { state: worst.state, failing: worst.state === "FAILED" || worst.state === "STOPPED", name: worst.name, url: worst.url, count: statuses.length };
}

interface Row {
  commit_key: string;
  statuses: string;
}

/**
 * Build statuses of source commits: filled by `repo:commit_status_*` webhooks (no call at all) and
 * by lookups for commits the app has not heard of. A lookup's answer "no statuses" is kept too.
 */
export class CommitStatusStore {
  constructor(private readonly db: Database) {}

  async get(installationId: string, repositoryUuid: string, commits: string[]): Promise<Map<string, StoredStatus[]>> {
    const keys = [...new Set(commits.map(commitKey))];
    const out = new Map<string, StoredStatus[]>();
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const rows = await select<Row>(
        this.db,
        `SELECT commit_key, statuses FROM review_radar_commit_statuses
          WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid AND commit_key IN (:chunk)`,
        { installationId, repositoryUuid, chunk },
      );
      for (const r of rows) out.set(r.commit_key, JSON.parse(r.statuses) as StoredStatus[]);
    }
    return out;
  }

  /** What a lookup found (replaces what was known). */
  async putFetched(installationId: string, repositoryUuid: string, commit: string, statuses: StoredStatus[], now = Date.now()): Promise<void> {
    await exec(
      this.db,
      `INSERT INTO review_radar_commit_statuses (installation_id, repository_uuid, commit_key, statuses, source, updated_at)
            VALUES (:installationId, :repositoryUuid, :key, :statuses, 'api', :now)
       ON CONFLICT (installation_id, repository_uuid, commit_key)
       DO UPDATE SET statuses = :statuses, source = 'api', updated_at = :now`,
      { installationId, repositoryUuid, key: commitKey(commit), statuses: JSON.stringify(statuses), now },
    );
  }

  /** A status from a webhook: replaces the one with its key unless what is stored is newer. */
  async applyWebhook(installationId: string, repositoryUuid: string, commit: string, status: StoredStatus, now = Date.now()): Promise<void> {
    const key = commitKey(commit);
    const params = { installationId, repositoryUuid, key, now };
    await this.db.transaction(async (transaction) => {
      await exec(
        this.db,
        `INSERT INTO review_radar_commit_statuses (installation_id, repository_uuid, commit_key, statuses, source, updated_at)
              VALUES (:installationId, :repositoryUuid, :key, '[]', 'webhook', :now)
         ON CONFLICT (installation_id, repository_uuid, commit_key) DO NOTHING`,
        params,
        transaction,
      );
      const lock = this.db.dialect === "postgres" ? "FOR UPDATE" : "";
      const [row] = await select<Row>(
        this.db,
        `SELECT commit_key, statuses FROM review_radar_commit_statuses
          WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid AND commit_key = :key ${lock}`,
        params,
        transaction,
      );
      const list = row ? (JSON.parse(row.statuses) as StoredStatus[]) : [];
      const current = list.find((s) => sameName(s.key, status.key));
      if (current && (current.updatedOn ?? "") > (status.updatedOn ?? "")) return;
      const next = [...list.filter((s) => !sameName(s.key, status.key)), status];
      await exec(
        this.db,
        `UPDATE review_radar_commit_statuses SET statuses = :statuses, updated_at = :now
          WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid AND commit_key = :key`,
        { ...params, statuses: JSON.stringify(next) },
        transaction,
      );
    });
  }

  async prune(olderThan: number): Promise<void> {
    await exec(this.db, `DELETE FROM review_radar_commit_statuses WHERE updated_at < :olderThan`, { olderThan });
  }

  async purge(installationId: string): Promise<void> {
    await exec(this.db, `DELETE FROM review_radar_commit_statuses WHERE installation_id = :installationId`, { installationId });
  }
}
