import type { BitbucketActivity } from "../api/pullrequest-history";
import type { BitbucketPullRequest } from "../api/pullrequests";
import type { HostPullRequestRecord } from "../host-api";
import { person } from "./pull-requests";

/** Cloud's states in the history's terms: SUPERSEDED (an older Cloud state) counts as declined. */
function stateOf(state: string | undefined): HostPullRequestRecord["state"] {
  if (state === "MERGED") return "MERGED";
  if (state === "DECLINED" || state === "SUPERSEDED") return "DECLINED";
  return "OPEN";
}

/**
 * A pull request of Cloud's list plus its activity, as review history: reviews are the activity's
 * `approval` and `changes_request` entries with their dates; a closed pull request's `closedOn` is
 * the date of the activity's `update` to its final state, else its `updated_on` (the last change of
 * a closed pull request is its closing, unless it was commented on afterwards).
 */
export function historyRecord(pr: BitbucketPullRequest, activity: BitbucketActivity[]): HostPullRequestRecord {
  const state = stateOf(pr.state);
  const reviews: HostPullRequestRecord["reviews"] = [];
  let closedOn: string | null = null;
  for (const a of activity) {
    if (a.approval?.date) reviews.push({ reviewer: person(a.approval.user), state: "approved", on: a.approval.date });
    if (a.changes_request?.date) reviews.push({ reviewer: person(a.changes_request.user), state: "changes_requested", on: a.changes_request.date });
    if (state !== "OPEN" && a.update?.date && stateOf(a.update.state) === state && a.update.state !== "OPEN") {
      if (!closedOn || Date.parse(a.update.date) < Date.parse(closedOn)) closedOn = a.update.date;
    }
  }
  return {
    id: pr.id,
    title: pr.title ?? `Pull request #${pr.id}`,
    url: pr.links?.html?.href ?? null,
    state,
    author: person(pr.author),
    createdOn: pr.created_on ?? new Date(0).toISOString(),
    closedOn: state === "OPEN" ? null : (closedOn ?? pr.updated_on ?? null),
    reviewers: (pr.reviewers ?? []).map(person),
    reviews,
  };
}
