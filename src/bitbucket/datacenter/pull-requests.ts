import type { HostParticipant, HostPullRequest, OpenPullRequests, ReviewState } from "../host-api";
import type { DcRepoAddress } from "./address";
import type { DataCenterClient } from "./client";
import { DC_AVATAR_SIZE, dcPerson, type DcUser } from "./people";

/** `RestPullRequestParticipant` (9.2 spec): `status` UNAPPROVED / NEEDS_WORK / APPROVED. */
export interface DcParticipant {
  user?: DcUser;
  role?: "AUTHOR" | "REVIEWER" | "PARTICIPANT";
  approved?: boolean;
  status?: "UNAPPROVED" | "NEEDS_WORK" | "APPROVED";
}

interface DcRef {
  id?: string;
  displayId?: string;
  latestCommit?: string;
}

/** `RestPullRequest` (9.2 spec): times in milliseconds since the epoch. */
export interface DcPullRequest {
  id: number;
  title?: string;
  state?: "OPEN" | "MERGED" | "DECLINED";
  draft?: boolean;
  createdDate?: number;
  updatedDate?: number;
  closedDate?: number;
  fromRef?: DcRef;
  toRef?: DcRef;
  author?: DcParticipant;
  reviewers?: DcParticipant[];
  participants?: DcParticipant[];
  links?: { self?: Array<{ href?: string }> };
}

export function dcReviewState(p: DcParticipant): ReviewState {
  if (p.status === "NEEDS_WORK") return "changes_requested";
  if (p.status === "APPROVED" || (p.status === undefined && p.approved)) return "approved";
  return "pending";
}

export function isoOf(ms: number | undefined, fallback: string): string {
  return typeof ms === "number" && Number.isFinite(ms) ? new Date(ms).toISOString() : fallback;
}

/**
 * A pull request of DC's list in host-neutral terms. Requested reviewers are `reviewers[]` with
 * their status; `participants[]` (commenters and others) are kept only when they approved or asked
 * for changes (a comment is not a review). The web link is `links.self[0]`.
 */
export function normalizeDcPullRequest(pr: DcPullRequest, siteUrl: string): HostPullRequest {
  const participants: HostParticipant[] = [];
  for (const r of pr.reviewers ?? []) participants.push({ ...dcPerson(r.user, siteUrl), role: "REVIEWER", state: dcReviewState(r) });
  for (const p of pr.participants ?? []) {
    const state = dcReviewState(p);
    const who = dcPerson(p.user, siteUrl);
    if (state === "pending" || participants.some((q) => q.uuid !== null && q.uuid === who.uuid)) continue;
    participants.push({ ...who, role: "PARTICIPANT", state });
  }
  const created = isoOf(pr.createdDate, new Date(0).toISOString());
  return {
    id: pr.id,
    title: pr.title ?? `Pull request #${pr.id}`,
    url: pr.links?.self?.[0]?.href ?? null,
    draft: pr.draft === true,
    author: dcPerson(pr.author?.user, siteUrl),
    createdOn: created,
    updatedOn: isoOf(pr.updatedDate, created),
    sourceBranch: pr.fromRef?.displayId ?? null,
    destinationBranch: pr.toRef?.displayId ?? null,
    sourceCommit: pr.fromRef?.latestCommit ?? null,
    participants,
  };
}

/**
 * Every open pull request of the repository (`GET …/pull-requests?state=OPEN`, REPO_READ), all pages
 * of 100 (`start`/`nextPageStart`), avatars at 48 px. `calls` = pages read.
 */
export async function listDcOpenPullRequests(client: DataCenterClient, at: DcRepoAddress): Promise<OpenPullRequests> {
  const pullRequests: HostPullRequest[] = [];
  let calls = 0;
  for await (const page of client.dcPages<DcPullRequest>(`${at.path}/pull-requests`, { state: "OPEN", avatarSize: DC_AVATAR_SIZE })) {
    calls++;
    for (const pr of page.values) if (!pr.state || pr.state === "OPEN") pullRequests.push(normalizeDcPullRequest(pr, client.siteUrl));
  }
  return { pullRequests, calls };
}
