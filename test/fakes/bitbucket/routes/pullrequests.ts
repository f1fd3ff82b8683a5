import { mentionsField, QueryError } from "../filter-and-sort";
import { DEFAULT_PAGES, PULL_REQUEST_PAGES, type PageLimits } from "../pagination";

/** The activity log pages by 20 by default, like the spec's examples (`pagelen: 20`); at most 50 (an assumption). */
const ACTIVITY_PAGES: PageLimits = { defaultLen: 20, maxLen: 50 };
import { activityEntry, pullRequestOnTheWire } from "../representations";
import type { RepoRecord } from "../state";
import type { PullRequest } from "../types";
import { listReply, objectReply } from "./list-response";
import { errorReply, REPO, repoNotFound, seg, visibleRepo, type Route, type RouteContext } from "./router";

const STATES = ["OPEN", "MERGED", "DECLINED", "SUPERSEDED"];

/**
 * Bitbucket leaves these out of the `/pullrequests` collection (too costly); only the `self` URL
 * returns them, or the collection with e.g. `fields=+values.participants,+values.reviewers`.
 */
const HIDDEN_IN_LIST = ["values.participants", "values.reviewers"];

function pullRequestOf(ctx: RouteContext, repo: RepoRecord): PullRequest | undefined {
  const id = ctx.params.pull_request_id;
  return /^\d+$/.test(id) ? repo.pullRequests.get(Number(id)) : undefined;
}

function queryMentionsState(q: string | null): boolean {
  if (!q) return false;
  try {
    return mentionsField(q, "state");
  } catch (err) {
    if (err instanceof QueryError) return false; // listReply reports the syntax error
    throw err;
  }
}

export const pullRequestRoutes: Route[] = [
  {
    // `state` repeatable; without it only OPEN pull requests (unless `q` filters on state itself).
    method: "GET",
    pattern: new RegExp(`^${REPO}/pullrequests$`),
    access: "api",
    handle(ctx) {
      const repo = visibleRepo(ctx);
      if (!repo) return repoNotFound(ctx);
      const requested = ctx.url.searchParams.getAll("state").map((s) => s.toUpperCase());
      const bad = requested.find((s) => !STATES.includes(s));
      if (bad) return errorReply(400, `Invalid state: ${bad}`, { fields: { state: [`"${bad}" is not a valid choice.`] } });
      const states = requested.length > 0 ? requested : queryMentionsState(ctx.url.searchParams.get("q")) ? STATES : ["OPEN"];
      const prs = [...repo.pullRequests.values()].filter((pr) => states.includes(pr.state)).map(pullRequestOnTheWire);
      return listReply(ctx, prs, { limits: PULL_REQUEST_PAGES, defaultSort: "-id", hidden: HIDDEN_IN_LIST });
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${REPO}/pullrequests/${seg("pull_request_id")}$`),
    access: "api",
    handle(ctx) {
      const repo = visibleRepo(ctx);
      if (!repo) return repoNotFound(ctx);
      const pr = pullRequestOf(ctx, repo);
      return pr ? objectReply(ctx, 200, pullRequestOnTheWire(pr)) : errorReply(404, `Pull request ${ctx.params.pull_request_id} not found`);
    },
  },
  {
    // The activity log: approvals, requests for changes and updates, newest first (no `q`/`sort`).
    method: "GET",
    pattern: new RegExp(`^${REPO}/pullrequests/${seg("pull_request_id")}/activity$`),
    access: "api",
    handle(ctx) {
      const repo = visibleRepo(ctx);
      if (!repo) return repoNotFound(ctx);
      const pr = pullRequestOf(ctx, repo);
      if (!pr) return errorReply(404, `Pull request ${ctx.params.pull_request_id} not found`);
      const entries = [...(repo.activity.get(pr.id) ?? [])].reverse().map((a) => activityEntry(ctx.base, repo, pr, a));
      return listReply(ctx, entries, { limits: ACTIVITY_PAGES });
    },
  },
  {
    // The build statuses of the pull request's source commit.
    method: "GET",
    pattern: new RegExp(`^${REPO}/pullrequests/${seg("pull_request_id")}/statuses$`),
    access: "api",
    handle(ctx) {
      const repo = visibleRepo(ctx);
      if (!repo) return repoNotFound(ctx);
      const pr = pullRequestOf(ctx, repo);
      if (!pr) return errorReply(404, `Pull request ${ctx.params.pull_request_id} not found`);
      const statuses = ctx.state.statusesOf(repo, pr.source.commit.hash);
      return listReply(ctx, statuses, { limits: DEFAULT_PAGES, defaultSort: "created_on" });
    },
  },
];
