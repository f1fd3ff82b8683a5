import { repoPath, type BitbucketClient } from "../client";

/** A Bitbucket account as embedded in pull requests (condensed form). */
export interface BitbucketAccount {
  uuid?: string;
  account_id?: string;
  display_name?: string;
  nickname?: string;
  links?: { avatar?: { href: string }; html?: { href: string } };
}

export interface BitbucketParticipant {
  user?: BitbucketAccount;
  role?: "PARTICIPANT" | "REVIEWER" | string;
  approved?: boolean;
  state?: "approved" | "changes_requested" | string | null;
  participated_on?: string | null;
}

/** The fields of a pull request that the list returns with `PULL_REQUEST_LIST_FIELDS`. */
export interface BitbucketPullRequest {
  id: number;
  title?: string;
  state?: string;
  draft?: boolean;
  author?: BitbucketAccount;
  created_on?: string;
  updated_on?: string;
  source?: { branch?: { name: string }; commit?: { hash: string } | null };
  destination?: { branch?: { name: string } };
  reviewers?: BitbucketAccount[];
  participants?: BitbucketParticipant[];
  links?: { html?: { href: string } };
}

export interface BitbucketCommitStatus {
  key: string;
  state: "SUCCESSFUL" | "FAILED" | "INPROGRESS" | "STOPPED";
  name?: string | null;
  url?: string | null;
  refname?: string | null;
  updated_on?: string;
  created_on?: string;
}

/** Largest page the pull request list serves. */
export const PULL_REQUEST_PAGELEN = 50;

/**
 * The list omits `participants` (and `reviewers`) unless asked for; `draft` is added to be sure.
 * Everything the radar never reads is dropped to keep 50-PR pages small.
 */
export const PULL_REQUEST_LIST_FIELDS = [
  "+values.participants",
  "+values.reviewers",
  "+values.draft",
  "-values.summary",
  "-values.description",
  "-values.rendered",
  "-values.source.repository",
  "-values.destination.repository",
  "-values.destination.commit",
  "-values.merge_commit",
  "-values.closed_by",
].join(",");

export interface ListedPullRequests {
  pullRequests: BitbucketPullRequest[];
  /** Bitbucket calls it took (pages followed). */
  calls: number;
}

/** Repository path segments that work whatever the caller knows: slugs, or `{uuid}` forms. */
export interface RepoLocator {
  workspace: string;
  repo: string;
}

/**
 * Every open pull request of a repository: `state=OPEN`, `pagelen=50`, participants included,
 * following `next` until the list ends (500 PRs = 10 calls).
 */
export async function listOpenPullRequests(client: BitbucketClient, at: RepoLocator): Promise<ListedPullRequests> {
  const pullRequests: BitbucketPullRequest[] = [];
  let calls = 0;
  for await (const page of client.pages<BitbucketPullRequest>(`${repoPath(at.workspace, at.repo)}/pullrequests`, {
    state: "OPEN",
    pagelen: PULL_REQUEST_PAGELEN,
    fields: PULL_REQUEST_LIST_FIELDS,
  })) {
    calls++;
    pullRequests.push(...(page.values ?? []));
  }
  return { pullRequests, calls };
}

/**
 * The build statuses of one commit (a pull request's source commit). Bitbucket has no bulk form:
 * one call per commit, 100 statuses per page (a commit rarely has more than a handful).
 */
export async function commitStatuses(client: BitbucketClient, at: RepoLocator, commit: string): Promise<BitbucketCommitStatus[]> {
  const page = await client.get<{ values?: BitbucketCommitStatus[] }>(
    `${repoPath(at.workspace, at.repo)}/commit/${encodeURIComponent(commit)}/statuses`,
    { pagelen: 100, sort: "-updated_on", fields: "values.key,values.state,values.name,values.url,values.refname,values.updated_on,values.created_on" },
  );
  return page.values ?? [];
}
