import { z } from "zod";
import type { Services } from "../../core/services";
import type { HandlerContext, HandlerOutcome } from "../../pipeline/context";
import { isRetryable } from "../../http/errors";
import { DAY_MS } from "./figures";
import { snapshotFromHistory } from "./snapshot";
import type { InsightsStore, RepoKey } from "./store";

export const BACKFILL_JOB = "review-insights.backfill";
/** How far back a backfill reads: the longest window the page shows. */
export const BACKFILL_DAYS = 90;
/** Pages one run reads at most (Cloud: 20 pull requests a page → 1,000 pull requests); then it ends as done. */
export const BACKFILL_MAX_PAGES = 50;
export const BACKFILL_MAX_ATTEMPTS = 3;

export const BackfillJobSchema = z.object({
  run: z.number().int().min(1),
  /** The cursor this job reads from (null: the first page); a job whose cursor is no longer current stops. */
  cursor: z.string().max(512).nullable(),
  fullName: z.string().max(300).nullable(),
});
export type BackfillJobPayload = z.infer<typeof BackfillJobSchema>;

declare module "../../pipeline/events" {
  interface JobMap {
    "review-insights.backfill": BackfillJobPayload;
  }
}

/** Queues the job that reads the page at the run's cursor (from the API: start or resume). */
export async function queueBackfillPage(services: Services, key: RepoKey, payload: BackfillJobPayload): Promise<void> {
  await services.queue.enqueue([
    {
      installationId: key.installationId,
      repositoryUuid: key.repositoryUuid,
      handler: BACKFILL_JOB,
      integration: "review-insights",
      payload,
      maxAttempts: BACKFILL_MAX_ATTEMPTS,
    },
  ]);
  services.queue.notify();
}

/**
 * One page of a backfill: reads the repository's pull request history at the run's cursor
 * (`BitbucketApi.pullRequestHistory`), stores it, moves the cursor and queues the next page, all in
 * one transaction, so that a failure resumes from the page that failed. A job of an older run, of a
 * cursor already passed, or of a repository switched off ends as ignored. When its last attempt fails
 * (or the error is permanent) the run is marked failed with the reason; an admin resumes it.
 */
export async function runBackfillPage(ctx: HandlerContext<BackfillJobPayload>, store: InsightsStore, now: () => number = Date.now): Promise<HandlerOutcome> {
  if (!ctx.repository) return { ignored: "no repository" };
  const key = { installationId: ctx.installation.id, repositoryUuid: ctx.repository.uuid };
  const state = await store.state(key);
  if (!state?.enabled) return { ignored: "review insights are off for this repository" };
  const b = state.backfill;
  if (b.status !== "running" || b.run !== ctx.payload.run || (b.cursor ?? null) !== ctx.payload.cursor) return { ignored: "this backfill page is no longer current" };
  const history = ctx.bitbucket.pullRequestHistory;
  if (!history) {
    const reason = `Bitbucket ${ctx.bitbucket.product} cannot read pull request history here: only events from now on are recorded`;
    await store.pageFailed(key, b.run, reason, true, now());
    return { ignored: reason };
  }
  const since = new Date(b.since ?? now() - BACKFILL_DAYS * DAY_MS).toISOString();
  let page;
  try {
    page = await history.call(ctx.bitbucket, { id: key.repositoryUuid, fullName: ctx.payload.fullName ?? ctx.repository.fullName }, { since, cursor: ctx.payload.cursor });
  } catch (err) {
    const final = !isRetryable(err) || ctx.job.attempt >= ctx.job.maxAttempts;
    const reason = err instanceof Error ? err.message : String(err);
    await store.pageFailed(key, b.run, `${final ? "" : "retrying: "}${reason}`, final, now());
    throw err;
  }
  const done = page.cursor === null || b.pages + 1 >= BACKFILL_MAX_PAGES;
  await ctx.services.db.transaction(async (transaction) => {
    for (const record of page.pullRequests) {
      const snap = snapshotFromHistory(record);
      if (snap) await store.record(key, snap, transaction);
    }
    await store.pageDone(key, b.run, { cursor: done ? null : page.cursor, pullRequests: page.pullRequests.length, done }, now(), transaction);
  });
  if (!done) await queueBackfillPage(ctx.services, key, { run: b.run, cursor: page.cursor, fullName: ctx.payload.fullName });
  return { done: { page: b.pages + 1, pullRequests: page.pullRequests.length, calls: page.calls, last: done } };
}
