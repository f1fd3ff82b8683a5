/** Public types of the fake Bitbucket Cloud server: what tests pass in and what the fake serves. */

export interface RecordedCall {
  method: string;
  /** The request pathname as received (still percent-encoded, e.g. `%7Buuid%7D`). */
  path: string;
  query: Record<string, string | string[]>;
  /** Parsed JSON, a form as a string record, raw text, or null when there was no body. */
  body: unknown;
  /** Who authenticated the call. A rejected credential records its kind with `clientKey: null`; Basic counts as "none". */
  auth: { kind: "jwt" | "bearer" | "none"; clientKey: string | null };
  /** 0 while the call is still in flight. */
  status: number;
  /** Arrival time (ms since epoch). */
  at: number;
}

export interface StartOptions {
  /** Delay before every answer. */
  latencyMs?: number;
  /** Lifetime of access tokens from the JWT grant (Bitbucket: 3600). */
  tokenTtlSeconds?: number;
}

export interface WorkspaceRef {
  uuid: string;
  slug: string;
}

export interface InstallationInput {
  clientKey: string;
  sharedSecret: string;
  appKey: string;
  workspace: WorkspaceRef;
  /** Space separated scopes reported by the token grant. */
  scopes?: string;
}

export interface RepositoryInput {
  /** Workspace slug. */
  workspace: string;
  slug: string;
  uuid: string;
  mainBranch?: string;
  /** Also lets this installation (or bearer-token label) reach the repo, whatever its workspace. */
  clientKey?: string;
  name?: string;
}

export interface BearerTokenOptions {
  /** Restricts the token to one workspace (slug or `{uuid}`); defaults to the installation's workspace. */
  workspace?: string | WorkspaceRef;
  /** Omitted: never expires. */
  expiresInSeconds?: number;
}

export type Permission = "admin" | "write" | "read" | "none";
export type CommitStatusState = "FAILED" | "INPROGRESS" | "STOPPED" | "SUCCESSFUL";
export type PullRequestState = "OPEN" | "MERGED" | "DECLINED" | "SUPERSEDED";

export interface Link {
  href: string;
}

export interface CommitStatus {
  type: "build";
  uuid: string;
  key: string;
  state: CommitStatusState;
  name: string;
  description: string;
  url: string;
  refname: string | null;
  created_on: string;
  updated_on: string;
  links: { self: Link; commit: Link };
}

export interface Account {
  type: "user";
  uuid: string;
  account_id: string;
  display_name: string;
  nickname: string;
  links: { self: Link; avatar: Link; html: Link };
}

export interface Participant {
  type: "participant";
  user: Account;
  role: "PARTICIPANT" | "REVIEWER";
  approved: boolean;
  state: "approved" | "changes_requested" | null;
  participated_on: string | null;
}

export interface RepositorySummary {
  type: "repository";
  uuid: string;
  full_name: string;
  name: string;
  links: { self: Link; html: Link; avatar: Link };
}

export interface CommitRef {
  type: "commit";
  hash: string;
  links: { self: Link; html: Link };
}

export interface PullRequestEndpoint {
  branch: { name: string };
  commit: CommitRef;
  repository: RepositorySummary;
}

export interface PullRequest {
  type: "pullrequest";
  id: number;
  title: string;
  description: string;
  summary: { type: "rendered"; raw: string; markup: "markdown"; html: string };
  state: PullRequestState;
  author: Account;
  source: PullRequestEndpoint;
  destination: PullRequestEndpoint;
  merge_commit: CommitRef | null;
  close_source_branch: boolean;
  closed_by: Account | null;
  reason: string;
  created_on: string;
  updated_on: string;
  comment_count: number;
  task_count: number;
  draft: boolean;
  queued: boolean;
  reviewers: Account[];
  participants: Participant[];
  links: Record<
    "self" | "html" | "commits" | "approve" | "request-changes" | "diff" | "diffstat" | "comments" | "activity" | "merge" | "decline" | "statuses",
    Link
  >;
}

export type AccountInput = Partial<Pick<Account, "uuid" | "account_id" | "display_name" | "nickname">>;

export interface ParticipantInput {
  user: AccountInput;
  role?: Participant["role"];
  approved?: boolean;
  state?: Participant["state"];
  participated_on?: string | null;
}

export interface EndpointInput {
  branch?: { name: string };
  /** Give the full 40-char sha: the fake serves it abbreviated to 12 chars like Bitbucket. */
  commit?: { hash: string };
}

/** A pull request as tests describe it; anything left out gets a Bitbucket-like default. */
export interface PullRequestInput {
  id: number;
  title?: string;
  description?: string;
  state?: PullRequestState;
  author?: AccountInput;
  source?: EndpointInput;
  destination?: EndpointInput;
  /** Defaults to the participants with role REVIEWER. */
  reviewers?: AccountInput[];
  /** Defaults to one REVIEWER participant (not approved) per reviewer. */
  participants?: ParticipantInput[];
  draft?: boolean;
  queued?: boolean;
  close_source_branch?: boolean;
  closed_by?: AccountInput | null;
  merge_commit?: { hash: string } | null;
  reason?: string;
  created_on?: string;
  updated_on?: string;
  comment_count?: number;
  task_count?: number;
  links?: { html?: Link };
}

/**
 * One entry of a pull request's activity log as tests describe it: an approval, a request for
 * changes, or an update (state change) by `user` at `date` (ISO 8601).
 */
export interface ActivityInput {
  kind: "approval" | "changes_request" | "update";
  date: string;
  user: AccountInput;
  /** For `update`: the pull request's state after it (OPEN, MERGED, DECLINED). */
  state?: PullRequestState;
}

export type ArchiveSource = Buffer | (() => NodeJS.ReadableStream);

export interface FaultRule {
  /** Any method when omitted. */
  method?: string;
  /** Tested against the request pathname; any path when omitted. */
  path?: RegExp;
  /** The injected status; when omitted the call is only delayed (latencyMs) and then served normally. */
  status?: number;
  /** How many matching calls the rule applies to (default 1). */
  times?: number;
  /** Sent as the `Retry-After` header (seconds or an HTTP date). */
  retryAfter?: number | string;
  /** Response body; defaults to a Bitbucket error object. */
  body?: unknown;
  latencyMs?: number;
}
