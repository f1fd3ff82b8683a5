import type { Database } from "../../db/database";
import { select } from "../review-radar/sql";
import { ageDistribution, DAY_MS, durationStat, weeklyFigures, type Sample } from "./figures";
import type { BackfillView, InsightsView, InsightsWindow, ReviewerLoad, WaitingPullRequest } from "./model";
import type { RepoInsightsState, RepoKey } from "./store";

/** Pull requests listed as waiting longest. */
export const WAITING_MAX = 10;
/** Reviewers listed (most loaded first). */
export const REVIEWERS_MAX = 50;

interface PrRow {
  pr_id: number | string;
  title: string;
  url: string | null;
  author: string | null;
  state: string;
  draft: number | string;
  created_at: number | string;
  closed_at: number | string | null;
  first_review_at: number | string | null;
  reviewers: number | string;
}

const KEY = "installation_id = :installationId AND repository_uuid = :repositoryUuid";
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function backfillView(state: RepoInsightsState | null): BackfillView {
  const b = state?.backfill;
  return {
    status: b?.status ?? "idle",
    since: iso(b?.since ?? null),
    pages: b?.pages ?? 0,
    pullRequests: b?.pullRequests ?? 0,
    error: b?.error ?? null,
    startedAt: iso(b?.startedAt ?? null),
    finishedAt: iso(b?.finishedAt ?? null),
  };
}

/**
 * The figures of one repository over the last `days` days up to `now` (epoch ms):
 * - time to first review: pull requests whose first review (approval or changes requested) fell in
 *   the window, from opening to that review; weekly by the review's week;
 * - time to merge: pull requests merged in the window, from opening to merge; weekly by merge week;
 * - open-PR age distribution and the open pull requests waiting longest for any review (drafts left out);
 * - per reviewer: open review requests without a verdict, and reviews given in the window.
 */
export async function insightsFigures(
  db: Database,
  key: RepoKey,
  days: InsightsWindow,
  now: number,
): Promise<Pick<InsightsView, "days" | "from" | "to" | "summary" | "weeks" | "openAge" | "reviewers" | "waiting">> {
  const from = now - days * DAY_MS;
  const prs = await select<PrRow>(
    db,
    `SELECT p.pr_id, p.title, p.url, p.author, p.state, p.draft, p.created_at, p.closed_at, p.first_review_at,
            (SELECT COUNT(*) FROM review_insights_requests r WHERE r.installation_id = p.installation_id
               AND r.repository_uuid = p.repository_uuid AND r.pr_id = p.pr_id) AS reviewers
       FROM review_insights_pull_requests p
      WHERE p.installation_id = :installationId AND p.repository_uuid = :repositoryUuid
        AND (p.state = 'OPEN' OR p.closed_at >= :from OR p.first_review_at >= :from)`,
    { ...key, from },
  );
  const firstReviews: Sample[] = [];
  const merges: Sample[] = [];
  const openAges: number[] = [];
  const waiting: WaitingPullRequest[] = [];
  for (const p of prs) {
    const created = Number(p.created_at);
    const firstReview = p.first_review_at === null ? null : Number(p.first_review_at);
    const closed = p.closed_at === null ? null : Number(p.closed_at);
    if (firstReview !== null && firstReview >= from && firstReview <= now) firstReviews.push({ at: firstReview, ms: Math.max(0, firstReview - created) });
    if (p.state === "MERGED" && closed !== null && closed >= from && closed <= now) merges.push({ at: closed, ms: Math.max(0, closed - created) });
    if (p.state === "OPEN" && Number(p.draft) !== 1) {
      openAges.push(Math.max(0, now - created));
      if (firstReview === null) {
        waiting.push({ id: Number(p.pr_id), title: p.title, url: p.url, author: p.author, createdAt: new Date(created).toISOString(), waitingMs: Math.max(0, now - created), reviewers: Number(p.reviewers) });
      }
    }
  }
  waiting.sort((a, b) => b.waitingMs - a.waitingMs || a.id - b.id);
  return {
    days,
    from: new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    summary: { openPullRequests: openAges.length, firstReview: durationStat(firstReviews.map((s) => s.ms)), merge: durationStat(merges.map((s) => s.ms)) },
    weeks: weeklyFigures(from, now, firstReviews, merges),
    openAge: ageDistribution(openAges),
    reviewers: await reviewerLoad(db, key, from, now),
    waiting: waiting.slice(0, WAITING_MAX),
  };
}

/** Open review requests (no verdict yet, on open pull requests) and reviews given since `from`, per reviewer. */
async function reviewerLoad(db: Database, key: RepoKey, from: number, now: number): Promise<ReviewerLoad[]> {
  const open = await select<{ reviewer_key: string; name: string; n: number | string }>(
    db,
    `SELECT r.reviewer_key, MAX(r.reviewer_name) AS name, COUNT(*) AS n FROM review_insights_requests r
       JOIN review_insights_pull_requests p ON p.installation_id = r.installation_id AND p.repository_uuid = r.repository_uuid AND p.pr_id = r.pr_id
      WHERE r.installation_id = :installationId AND r.repository_uuid = :repositoryUuid AND r.state = 'pending' AND p.state = 'OPEN'
      GROUP BY r.reviewer_key`,
    { ...key },
  );
  const done = await select<{ reviewer_key: string; name: string; n: number | string }>(
    db,
    `SELECT reviewer_key, MAX(reviewer_name) AS name, COUNT(*) AS n FROM review_insights_reviews
      WHERE ${KEY} AND at >= :from AND at <= :now GROUP BY reviewer_key`,
    { ...key, from, now },
  );
  const byKey = new Map<string, ReviewerLoad>();
  for (const r of open) byKey.set(r.reviewer_key, { reviewer: r.name, openRequests: Number(r.n), reviewsDone: 0 });
  for (const r of done) {
    const entry = byKey.get(r.reviewer_key) ?? { reviewer: r.name, openRequests: 0, reviewsDone: 0 };
    entry.reviewsDone = Number(r.n);
    byKey.set(r.reviewer_key, entry);
  }
  return [...byKey.values()]
    .sort((a, b) => b.openRequests - a.openRequests || b.reviewsDone - a.reviewsDone || a.reviewer.localeCompare(b.reviewer))
    .slice(0, REVIEWERS_MAX);
}
