import { repoPath, type BitbucketClient, type Page } from "../client";
import type { BitbucketAccount, BitbucketPullRequest, RepoLocator } from "./pullrequests";

/** Pull requests per history page (the list serves at most 50; each one costs an activity call too). */
export const HISTORY_PAGELEN = 20;
/** Activity pages read per pull request (50 entries each): enough for its reviews, bounded. */
export const ACTIVITY_PAGES_MAX = 2;
export const ACTIVITY_PAGELEN = 50;

/** Every state Cloud's list filters on (without `state` it would return OPEN only). */
const ALL_STATES = ["OPEN", "MERGED", "DECLINED", "SUPERSEDED"];

const HISTORY_FIELDS = [
  "+values.reviewers",
  "-values.participants",
  "-values.summary",
  "-values.description",
  "-values.rendered",
  "-values.source",
  "-values.destination",
  "-values.merge_commit",
  "-values.closed_by",
].join(",");

/** One entry of `GET …/pullrequests/{id}/activity` (the spec's description: approval, changes_request, update, comment). */
export interface BitbucketActivity {
  approval?: { date?: string; user?: BitbucketAccount };
  changes_request?: { date?: string; user?: BitbucketAccount };
  update?: { date?: string; state?: string };
}

/**
 * One page of a repository's pull requests of every state updated after `since` (ISO 8601),
 * newest update first: `state=OPEN&state=MERGED&state=DECLINED&state=SUPERSEDED`,
 * `q=updated_on>{since}`, `sort=-updated_on`, `pagelen`, `page` (Cloud's list paging, 1-based;
 * openapi-narrative/filtering.md, pagination.md). Resolves with the page and the next page number
 * (null after the last). Errors: the client's HttpError.
 */
export async function pullRequestHistoryPage(
  client: BitbucketClient,
  at: RepoLocator,
  opts: { since: string; page: number },
): Promise<{ values: BitbucketPullRequest[]; nextPage: number | null }> {
  const page = await client.get<Page<BitbucketPullRequest>>(`${repoPath(at.workspace, at.repo)}/pullrequests`, {
    state: ALL_STATES,
    q: `updated_on > ${opts.since}`,
    sort: "-updated_on",
    pagelen: HISTORY_PAGELEN,
    page: opts.page,
    fields: HISTORY_FIELDS,
  });
  return { values: page.values ?? [], nextPage: page.next ? opts.page + 1 : null };
}

/**
 * A pull request's activity (approvals, changes requested, state updates with their dates), at most
 * `ACTIVITY_PAGES_MAX` pages of `ACTIVITY_PAGELEN`, following `next`. Resolves with the entries and
 * the calls made. Errors: the client's HttpError.
 */
export async function pullRequestActivity(client: BitbucketClient, at: RepoLocator, id: number): Promise<{ entries: BitbucketActivity[]; calls: number }> {
  const entries: BitbucketActivity[] = [];
  let calls = 0;
  for await (const page of client.pages<BitbucketActivity>(`${repoPath(at.workspace, at.repo)}/pullrequests/${id}/activity`, { pagelen: ACTIVITY_PAGELEN })) {
    calls++;
    entries.push(...(page.values ?? []));
    if (calls >= ACTIVITY_PAGES_MAX) break;
  }
  return { entries, calls };
}
