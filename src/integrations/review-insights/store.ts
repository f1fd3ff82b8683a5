import type { Transaction } from "sequelize";
import type { Database } from "../../db/database";
import { exec, select } from "../review-radar/sql";
import type { BackfillStatus } from "./model";
import type { PullRequestSnapshot } from "./snapshot";

/** A repository's insights switch and backfill progress (`review_insights_repositories`). */
export interface RepoInsightsState {
  enabled: boolean;
  backfill: {
    status: BackfillStatus;
    run: number;
    since: number | null;
    cursor: string | null;
    pages: number;
    pullRequests: number;
    error: string | null;
    startedAt: number | null;
    finishedAt: number | null;
  };
}

interface StateRow {
  enabled: number | boolean;
  backfill_status: BackfillStatus;
  backfill_run: number | string;
  backfill_since: number | string | null;
  backfill_cursor: string | null;
  backfill_pages: number | string;
  backfill_pull_requests: number | string;
  backfill_error: string | null;
  backfill_started_at: number | string | null;
  backfill_finished_at: number | string | null;
}

interface PrRow {
  state: string;
  created_at: number | string;
  closed_at: number | string | null;
  first_review_at: number | string | null;
  source_updated_at: number | string;
  source: string;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
const KEY = "installation_id = :installationId AND repository_uuid = :repositoryUuid";

/** Where insights live: `installationId` + `repositoryUuid` (the door-minted id). */
export interface RepoKey {
  installationId: string;
  repositoryUuid: string;
}

/**
 * The review insights tables. Every write is idempotent: a redelivered event or a backfill page read
 * twice changes nothing more (reviews are keyed by pull request, reviewer, verdict and time).
 */
export class InsightsStore {
  constructor(private readonly db: Database) {}

  async state(key: RepoKey, transaction?: Transaction): Promise<RepoInsightsState | null> {
    const [row] = await select<StateRow>(this.db, `SELECT * FROM review_insights_repositories WHERE ${KEY}`, { ...key }, transaction);
    if (!row) return null;
    return {
      enabled: Number(row.enabled) === 1,
      backfill: {
        status: row.backfill_status,
        run: Number(row.backfill_run),
        since: num(row.backfill_since),
        cursor: row.backfill_cursor,
        pages: Number(row.backfill_pages),
        pullRequests: Number(row.backfill_pull_requests),
        error: row.backfill_error,
        startedAt: num(row.backfill_started_at),
        finishedAt: num(row.backfill_finished_at),
      },
    };
  }

  /** Turns insights on or off for a repository (the row is created on first use). */
  async setEnabled(key: RepoKey, enabled: boolean, actor: string | null, now: number, transaction?: Transaction): Promise<void> {
    await exec(
      this.db,
      `INSERT INTO review_insights_repositories (installation_id, repository_uuid, enabled, changed_by, changed_at)
         VALUES (:installationId, :repositoryUuid, :enabled, :actor, :now)
         ON CONFLICT (installation_id, repository_uuid) DO UPDATE SET enabled = :enabled, changed_by = :actor, changed_at = :now`,
      { ...key, enabled: enabled ? 1 : 0, actor, now },
      transaction,
    );
  }

  /** Starts a new backfill run from the first page (returns its run number). */
  async startBackfill(key: RepoKey, since: number, now: number, transaction?: Transaction): Promise<number> {
    await exec(
      this.db,
      `UPDATE review_insights_repositories SET backfill_status = 'running', backfill_run = backfill_run + 1, backfill_since = :since,
         backfill_cursor = NULL, backfill_pages = 0, backfill_pull_requests = 0, backfill_error = NULL,
         backfill_started_at = :now, backfill_finished_at = NULL WHERE ${KEY}`,
      { ...key, since, now },
      transaction,
    );
    return (await this.state(key, transaction))!.backfill.run;
  }

  /** Resumes a failed run from its cursor (same run, pages and counts kept). */
  async resumeBackfill(key: RepoKey, transaction?: Transaction): Promise<void> {
    await exec(this.db, `UPDATE review_insights_repositories SET backfill_status = 'running', backfill_error = NULL, backfill_finished_at = NULL WHERE ${KEY}`, { ...key }, transaction);
  }

  /** Records one page done: the next cursor, the counts, and `done` when it was the last page. */
  async pageDone(key: RepoKey, run: number, page: { cursor: string | null; pullRequests: number; done: boolean }, now: number, transaction?: Transaction): Promise<void> {
    await exec(
      this.db,
      `UPDATE review_insights_repositories SET backfill_cursor = :cursor, backfill_pages = backfill_pages + 1,
         backfill_pull_requests = backfill_pull_requests + :prs, backfill_error = NULL,
         backfill_status = :status, backfill_finished_at = :finished
       WHERE ${KEY} AND backfill_run = :run`,
      { ...key, run, cursor: page.cursor, prs: page.pullRequests, status: page.done ? "done" : "running", finished: page.done ? now : null },
      transaction,
    );
  }

  /** Notes why the current page failed; `final` ends the run as failed (an admin may resume it). */
  async pageFailed(key: RepoKey, run: number, error: string, final: boolean, now: number): Promise<void> {
    await exec(
      this.db,
      `UPDATE review_insights_repositories SET backfill_error = :error, backfill_status = :status, backfill_finished_at = :finished
       WHERE ${KEY} AND backfill_run = :run AND backfill_status = 'running'`,
      { ...key, run, error: error.slice(0, 512), status: final ? "failed" : "running", finished: final ? now : null },
    );
  }

  /** The repositories of an installation with insights on (the core's switch question: `IntegrationSwitches`). */
  async enabledRepositories(installationId: string): Promise<string[]> {
    const rows = await select<{ repository_uuid: string }>(this.db, `SELECT repository_uuid FROM review_insights_repositories WHERE installation_id = :installationId AND enabled = 1`, { installationId });
    return rows.map((r) => r.repository_uuid);
  }

  /** Which of these repositories have insights on (`installationId|repositoryUuid` keys). */
  async enabledAmong(keys: RepoKey[], transaction?: Transaction): Promise<Set<string>> {
    const out = new Set<string>();
    const installations = [...new Set(keys.map((k) => k.installationId))];
    const repositories = [...new Set(keys.map((k) => k.repositoryUuid))];
    if (!installations.length) return out;
    const rows = await select<{ installation_id: string; repository_uuid: string }>(
      this.db,
      `SELECT installation_id, repository_uuid FROM review_insights_repositories
        WHERE enabled = 1 AND installation_id IN (:installations) AND repository_uuid IN (:repositories)`,
      { installations, repositories },
      transaction,
    );
    for (const r of rows) out.add(`${r.installation_id}|${r.repository_uuid}`);
    return out;
  }

  /**
   * Applies a snapshot. Facts that never go back are always merged: the earliest opening, the
   * earliest closing, the earliest review, every review. Title, state and requested reviewers are
   * replaced only by a snapshot at least as new as the one applied (an event's `updated_on`); a
   * history record never overrides what an event said (events are newer than the backfill's reading).
   */
  async record(key: RepoKey, s: PullRequestSnapshot, transaction?: Transaction): Promise<void> {
    const at = { ...key, prId: s.id };
    const PR = `${KEY} AND pr_id = :prId`;
    const [row] = await select<PrRow>(this.db, `SELECT state, created_at, closed_at, first_review_at, source_updated_at, source FROM review_insights_pull_requests WHERE ${PR}`, at, transaction);
    const firstReview = s.reviews.length ? Math.min(...s.reviews.map((r) => r.at)) : null;
    const fresh = !row || (s.source === "event" ? s.updatedAt >= Number(row.source_updated_at) || row.source === "history" : row.source === "history");
    const values = {
      ...at,
      title: s.title,
      url: s.url,
      author: s.author,
      state: s.state,
      draft: s.draft ? 1 : 0,
      createdAt: s.createdAt,
      closedAt: s.closedAt,
      firstReview,
      updatedAt: s.updatedAt,
      source: s.source,
    };
    if (!row) {
      await exec(
        this.db,
        `INSERT INTO review_insights_pull_requests (installation_id, repository_uuid, pr_id, title, url, author, state, draft, created_at, closed_at, first_review_at, source_updated_at, source)
           VALUES (:installationId, :repositoryUuid, :prId, :title, :url, :author, :state, :draft, :createdAt, :closedAt, :firstReview, :updatedAt, :source)
           ON CONFLICT (installation_id, repository_uuid, pr_id) DO NOTHING`,
        values,
        transaction,
      );
    } else {
      const min = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
      const closedBefore = num(row.closed_at);
      // A closed pull request stays closed unless a newer event reopens it (Data Center can reopen a declined one).
      const state = fresh ? s.state : row.state !== "OPEN" ? row.state : s.state;
      const closedAt = state === "OPEN" ? null : min(closedBefore, s.closedAt);
      await exec(
        this.db,
        `UPDATE review_insights_pull_requests SET state = :state, closed_at = :closedAt, created_at = :createdAt, first_review_at = :firstReview
           ${fresh ? ", title = :title, url = :url, author = :author, draft = :draft, source_updated_at = :updatedAt, source = :source" : ""}
         WHERE ${PR}`,
        { ...values, state, closedAt, createdAt: Math.min(Number(row.created_at), s.createdAt), firstReview: min(num(row.first_review_at), firstReview) },
        transaction,
      );
    }
    if (fresh && s.reviewers) {
      await exec(this.db, `DELETE FROM review_insights_requests WHERE ${PR}`, at, transaction);
      for (const r of s.reviewers) {
        await exec(
          this.db,
          `INSERT INTO review_insights_requests (installation_id, repository_uuid, pr_id, reviewer_key, reviewer_name, state)
             VALUES (:installationId, :repositoryUuid, :prId, :key, :name, :state) ON CONFLICT DO NOTHING`,
          { ...at, key: r.key, name: r.name, state: r.state },
          transaction,
        );
      }
    }
    for (const r of s.reviews) {
      await exec(
        this.db,
        `INSERT INTO review_insights_reviews (installation_id, repository_uuid, pr_id, reviewer_key, state, at, reviewer_name)
           VALUES (:installationId, :repositoryUuid, :prId, :key, :state, :at, :name) ON CONFLICT DO NOTHING`,
        { ...at, key: r.key, state: r.state, at: r.at, name: r.name },
        transaction,
      );
    }
  }

  /**
   * Retention: deletes reviews given before `cutoff` (epoch ms) and pull requests closed before it
   * with their reviewer requests. Open pull requests are kept whatever their age (they are the
   * open-age and waiting figures). Resolves with the rows deleted per table.
   */
  async prune(cutoff: number): Promise<{ pullRequests: number; reviews: number }> {
    const count = async (sql: string) => Number((await select<{ n: number | string }>(this.db, sql, { cutoff }))[0]?.n ?? 0);
    const reviews = await count(`SELECT COUNT(*) AS n FROM review_insights_reviews WHERE at < :cutoff`);
    const pullRequests = await count(`SELECT COUNT(*) AS n FROM review_insights_pull_requests WHERE closed_at IS NOT NULL AND closed_at < :cutoff`);
    await this.db.transaction(async (transaction) => {
      await exec(this.db, `DELETE FROM review_insights_reviews WHERE at < :cutoff`, { cutoff }, transaction);
      await exec(
        this.db,
        `DELETE FROM review_insights_requests WHERE EXISTS (SELECT 1 FROM review_insights_pull_requests p
           WHERE p.installation_id = review_insights_requests.installation_id AND p.repository_uuid = review_insights_requests.repository_uuid
             AND p.pr_id = review_insights_requests.pr_id AND p.closed_at IS NOT NULL AND p.closed_at < :cutoff)`,
        { cutoff },
        transaction,
      );
      await exec(this.db, `DELETE FROM review_insights_pull_requests WHERE closed_at IS NOT NULL AND closed_at < :cutoff`, { cutoff }, transaction);
    });
    return { pullRequests, reviews };
  }
}
