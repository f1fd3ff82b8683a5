import type { BitbucketClient } from "../client";
import { repoPath } from "../client";

/** Bitbucket Cloud commit-status states (the only four it accepts). */
export type BuildStatusState = "INPROGRESS" | "SUCCESSFUL" | "FAILED" | "STOPPED";

/** Bitbucket rejects longer keys: "key: Ensure this value has at most 40 characters". */
export const STATUS_KEY_MAX = 40;
const TEXT_MAX = 255;

/** The body of POST .../commit/{commit}/statuses/build (fields of the `commitstatus` schema). */
export interface BuildStatusInput {
  key: string;
  state: BuildStatusState;
  name?: string;
  url?: string;
  description?: string;
  /** The branch: set it to the pull request's source branch so the status shows on the pull request. */
  refname?: string;
}

/** A commit status as Bitbucket returns it. */
export interface CommitStatus extends BuildStatusInput {
  type: string;
  created_on?: string;
  updated_on?: string;
  links?: { self?: { href: string }; commit?: { href: string } };
}

/** A repository addressed by `workspace/slug` or by `{workspace uuid}/{repository uuid}`. */
export interface RepoAddress {
  workspace: string;
  slug: string;
}

function statusesPath(repo: RepoAddress, commit: string): string {
  return `${repoPath(repo.workspace, repo.slug)}/commit/${encodeURIComponent(commit)}/statuses`;
}

/** Drops empty optional fields and trims texts to what Bitbucket stores. */
export function cleanStatusBody(input: BuildStatusInput): BuildStatusInput {
  if (!input.key || input.key.length > STATUS_KEY_MAX) throw new RangeError(`status key must be 1-${STATUS_KEY_MAX} characters`);
  const body: BuildStatusInput = { key: input.key, state: input.state };
  if (input.name) body.name = input.name.slice(0, TEXT_MAX);
  if (input.url) body.url = input.url;
  if (input.description) body.description = input.description.slice(0, TEXT_MAX);
  if (input.refname) body.refname = input.refname;
  return body;
}

/** Creates or overwrites (same key) the build status of a commit. */
export function postBuildStatus(client: BitbucketClient, repo: RepoAddress, commit: string, input: BuildStatusInput): Promise<CommitStatus> {
  return client.post<CommitStatus>(`${statusesPath(repo, commit)}/build`, cleanStatusBody(input));
}

/** One build status by key. */
export function getBuildStatus(client: BitbucketClient, repo: RepoAddress, commit: string, key: string): Promise<CommitStatus> {
  return client.get<CommitStatus>(`${statusesPath(repo, commit)}/build/${encodeURIComponent(key)}`);
}

/** Every status of a commit (all pages). */
export function listCommitStatuses(client: BitbucketClient, repo: RepoAddress, commit: string): Promise<CommitStatus[]> {
  return client.all<CommitStatus>(statusesPath(repo, commit));
}
