import type { Transaction } from "sequelize";
import type { Database } from "../../db/database";
import type { RadarPullRequest } from "./model";
import { exec, select } from "./sql";

/** How long a cached list is trusted even without webhooks (a missed delivery heals by itself). */
export const PR_CACHE_MAX_AGE_MS = 15 * 60_000;

export interface CachedPullRequests {
  pullRequests: RadarPullRequest[];
  fetchedAt: number;
  /** Bitbucket calls the fill took. */
  calls: number;
}

interface Row {
  generation: number;
  payload: string | null;
  fetched_at: number | null;
}

/**
 * The open pull requests of a repository, cached in the database so that every instance shares one
 * copy and one invalidation. A webhook bumps `generation`; a fill only lands if the generation it
 * started from is still current, so a fetch that raced an invalidation never resurrects stale data.
 */
export class PullRequestCache {
  constructor(private readonly db: Database) {}

  async read(installationId: string, repositoryUuid: string, now = Date.now()): Promise<{ generation: number; hit: CachedPullRequests | null }> {
    const key = { installationId, repositoryUuid };
    let [row] = await select<Row>(
      this.db,
      `SELECT generation, payload, fetched_at FROM review_radar_pr_cache WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid`,
      key,
    );
    if (!row) {
      await exec(
        this.db,
        `INSERT INTO review_radar_pr_cache (installation_id, repository_uuid, generation) VALUES (:installationId, :repositoryUuid, 0)
         ON CONFLICT (installation_id, repository_uuid) DO NOTHING`,
        key,
      );
      row = { generation: 0, payload: null, fetched_at: null };
    }
    const generation = Number(row.generation);
    if (!row.payload || row.fetched_at === null || now - Number(row.fetched_at) > PR_CACHE_MAX_AGE_MS) return { generation, hit: null };
    return { generation, hit: JSON.parse(row.payload) as CachedPullRequests };
  }

  /** Stores a fill made at `generation`; false when an invalidation came in meanwhile (not stored). */
  async write(installationId: string, repositoryUuid: string, generation: number, value: CachedPullRequests): Promise<boolean> {
    const rows = await select<{ generation: number }>(
      this.db,
      `UPDATE review_radar_pr_cache SET payload = :payload, fetched_at = :fetchedAt
        WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid AND generation = :generation
        RETURNING generation`,
      { installationId, repositoryUuid, generation, payload: JSON.stringify(value), fetchedAt: value.fetchedAt },
    );
    return rows.length > 0;
  }

  /**
   * Empties the cached list of each repository (bumps its generation), inside the caller's
   * transaction when given: the ingest hook passes the one that stores the webhook, so no view that
   * starts after the acknowledgement reads the old list.
   */
  async invalidate(repos: Array<{ installationId: string; repositoryUuid: string }>, transaction?: Transaction, now = Date.now()): Promise<void> {
    const seen = new Set<string>();
    for (const { installationId, repositoryUuid } of repos) {
      const key = `${installationId}|${repositoryUuid}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await exec(
        this.db,
        `INSERT INTO review_radar_pr_cache (installation_id, repository_uuid, generation, invalidated_at)
              VALUES (:installationId, :repositoryUuid, 1, :now)
         ON CONFLICT (installation_id, repository_uuid)
         DO UPDATE SET generation = review_radar_pr_cache.generation + 1, payload = NULL, fetched_at = NULL, invalidated_at = :now`,
        { installationId, repositoryUuid, now },
        transaction,
      );
    }
  }

  async purge(installationId: string): Promise<void> {
    await exec(this.db, `DELETE FROM review_radar_pr_cache WHERE installation_id = :installationId`, { installationId });
  }
}
