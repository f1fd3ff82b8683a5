import type { BitbucketAccount, BitbucketPullRequest } from "../api/pullrequests";
import type { HostParticipant, HostPerson, HostPullRequest, ReviewState } from "../host-api";

/** A Cloud account (condensed form) in host-neutral terms. */
export function person(a: BitbucketAccount | undefined): HostPerson {
  return {
    accountId: a?.account_id ?? null,
    uuid: a?.uuid ?? null,
    displayName: a?.display_name ?? a?.nickname ?? "Unknown user",
    avatarUrl: a?.links?.avatar?.href ?? null,
  };
}

export function samePerson(a: HostPerson, b: HostPerson): boolean {
  if (a.accountId && b.accountId) return a.accountId === b.accountId;
  if (a.uuid && b.uuid) return a.uuid.toLowerCase() === b.uuid.toLowerCase();
  return false;
}

/** Cloud participant `state` (`approved` / `changes_requested` / null) and the older `approved` flag. */
function reviewState(p: { approved?: boolean; state?: string | null }): ReviewState {
  if (p.state === "changes_requested") return "changes_requested";
  if (p.approved || p.state === "approved") return "approved";
  return "pending";
}

/**
 * A pull request of Cloud's list in host-neutral terms. Requested reviewers come from `reviewers`
 * and from participants with role REVIEWER; other participants are kept only when they approved or
 * asked for changes (a comment is not a review).
 */
export function normalizePullRequest(pr: BitbucketPullRequest): HostPullRequest {
  const participants: HostParticipant[] = [];
  for (const p of pr.participants ?? []) {
    const state = reviewState(p);
    const role = p.role === "REVIEWER" ? "REVIEWER" : "PARTICIPANT";
    if (role === "PARTICIPANT" && state === "pending") continue;
    participants.push({ ...person(p.user), role, state });
  }
  for (const r of pr.reviewers ?? []) {
    const who = person(r);
    if (!participants.some((p) => samePerson(p, who))) participants.push({ ...who, role: "REVIEWER", state: "pending" });
  }
  return {
    id: pr.id,
    title: pr.title ?? `Pull request #${pr.id}`,
    url: pr.links?.html?.href ?? null,
    draft: pr.draft === true,
    author: person(pr.author),
    createdOn: pr.created_on ?? new Date(0).toISOString(),
    updatedOn: pr.updated_on ?? pr.created_on ?? new Date(0).toISOString(),
    sourceBranch: pr.source?.branch?.name ?? null,
    destinationBranch: pr.destination?.branch?.name ?? null,
    sourceCommit: pr.source?.commit?.hash ?? null,
    participants,
  };
}
