import { PermanentError } from "../../http/errors";
import type { HostPullRequestRecord, PullRequestHistoryPage } from "../host-api";
import type { DcRepoAddress } from "./address";
import type { DataCenterClient, DataCenterPage } from "./client";
import { DC_AVATAR_SIZE, dcPerson, type DcUser } from "./people";
import { isoOf, type DcPullRequest } from "./pull-requests";

/** Pull requests per history page: each costs one activities call (or more), so pages stay small. */
export const DC_HISTORY_PAGE = 25;
/** Activities read per pull request at most (10 pages of 100): a bound on one pull request's cost. */
const ACTIVITIES_MAX = 1000;

/** `RestPullRequestActivity` (9.2 spec): `action` APPROVED, REVIEWED (= "needs work"), …; `createdDate` ms. */
interface DcActivity {
  action?: string;
  createdDate?: number;
  user?: DcUser;
}

function encodeCursor(start: number): string {
  return Buffer.from(JSON.stringify({ start })).toString("base64url");
}

function decodeCursor(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  try {
    const v = (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { start?: unknown }).start;
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  } catch {
    // fall through
  }
  throw new PermanentError("not a pull request history cursor of this host");
}

/**
 * Reviews given on one pull request, oldest first, from its activity
 * (`GET …/pull-requests/{id}/activities`, newest first on the wire): `APPROVED` → approved,
 * `REVIEWED` → changes requested (DC writes REVIEWED when a reviewer sets "Needs work"; source:
 * tomasbjerre/pull-request-notifier-for-bitbucket #191). UNAPPROVED and comments are not reviews.
 */
async function reviewsOf(client: DataCenterClient, at: DcRepoAddress, id: number): Promise<{ reviews: HostPullRequestRecord["reviews"]; calls: number }> {
  const reviews: HostPullRequestRecord["reviews"] = [];
  let calls = 0;
  let read = 0;
  for await (const page of client.dcPages<DcActivity>(`${at.path}/pull-requests/${id}/activities`, { avatarSize: DC_AVATAR_SIZE })) {
    calls++;
    for (const a of page.values) {
      const state = a.action === "APPROVED" ? "approved" : a.action === "REVIEWED" ? "changes_requested" : null;
      if (state && typeof a.createdDate === "number") reviews.push({ reviewer: dcPerson(a.user, client.siteUrl), state, on: new Date(a.createdDate).toISOString() });
    }
    read += page.values.length;
    if (read >= ACTIVITIES_MAX) break;
  }
  reviews.sort((x, y) => x.on.localeCompare(y.on));
  return { reviews, calls };
}

function record(pr: DcPullRequest, siteUrl: string, reviews: HostPullRequestRecord["reviews"]): HostPullRequestRecord {
  const state = pr.state === "MERGED" || pr.state === "DECLINED" ? pr.state : "OPEN";
  const created = isoOf(pr.createdDate, new Date(0).toISOString());
  return {
    id: pr.id,
    title: pr.title ?? `Pull request #${pr.id}`,
    url: pr.links?.self?.[0]?.href ?? null,
    state,
    author: dcPerson(pr.author?.user, siteUrl),
    createdOn: created,
    closedOn: state === "OPEN" ? null : isoOf(pr.closedDate ?? pr.updatedDate, created),
    reviewers: (pr.reviewers ?? []).map((r) => dcPerson(r.user, siteUrl)),
    reviews,
  };
}

/**
 * One page of pull requests of every state updated since `since` (ISO 8601), most recently updated
 * first (`GET …/pull-requests?state=ALL&order=NEWEST`, DC_HISTORY_PAGE per page), each with its
 * reviews from its activity. Stops at the first pull request updated before `since` (NEWEST orders
 * by last update). The cursor is opaque (the next `start`), null after the last page.
 * PermanentError for a malformed `since` or cursor.
 */
export async function dcPullRequestHistory(client: DataCenterClient, at: DcRepoAddress, opts: { since: string; cursor?: string | null }): Promise<PullRequestHistoryPage> {
  const since = Date.parse(opts.since);
  if (Number.isNaN(since)) throw new PermanentError(`not an ISO 8601 time: ${opts.since.slice(0, 40)}`);
  const start = decodeCursor(opts.cursor);
  const page = await client.get<DataCenterPage<DcPullRequest>>(`${at.path}/pull-requests`, { state: "ALL", order: "NEWEST", start, limit: DC_HISTORY_PAGE, avatarSize: DC_AVATAR_SIZE });
  let calls = 1;
  let reachedOlder = false;
  const pullRequests: HostPullRequestRecord[] = [];
  for (const pr of page.values) {
    if ((pr.updatedDate ?? pr.createdDate ?? 0) < since) {
      reachedOlder = true;
      break;
    }
    const found = await reviewsOf(client, at, pr.id);
    calls += found.calls;
    pullRequests.push(record(pr, client.siteUrl, found.reviews));
  }
  const more = !reachedOlder && !page.isLastPage && typeof page.nextPageStart === "number" && page.nextPageStart > start;
  return { pullRequests, cursor: more ? encodeCursor(page.nextPageStart!) : null, calls };
}
