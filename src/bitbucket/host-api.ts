import type { Readable } from "node:stream";
import type { InstallationView } from "../core/installations";
import type { HostKind } from "../models/installation";
import { REPOSITORY_ID_FORMATS, type RepositoryIdFormat, type RepositoryIdScheme } from "./repository-id";

/**
 * One Bitbucket API per host (issue 16, step 1): what integrations and pages may ask of the
 * Bitbucket an installation lives on, in host-neutral terms. Each host product (Cloud today, Data
 * Center next) implements it over its own client; integrations never name a path, a paging
 * scheme or a host-only state. Errors are the HTTP client's (`HttpError`, `BitbucketAuthError`):
 * a 404 means the repository or commit is not there.
 */

/** A repository as the core knows it: the id minted by its door (`repository-id.ts`) and its display name. */
export interface RepositoryRef {
  /** Cloud: the braced repository UUID. Data Center: `dc:<instance>:<repository id>`. */
  id: string;
  /** `workspace/slug` (Cloud) or `PROJ/slug` (Data Center); null when not known yet. */
  fullName: string | null;
}

export interface HostRepository {
  id: string | null;
  fullName: string | null;
  displayName: string | null;
  /** The default branch (Cloud: `mainbranch`; Data Center: `default-branch`), null when none. */
  mainBranch: string | null;
  links: { html: string | null };
}

/**
 * Host-neutral build states. `STOPPED` means "stopped or cancelled: neither a pass nor a failure"
 * (Cloud `STOPPED`, Data Center `CANCELLED`); each implementation maps it to and from its wire word.
 */
export type BuildState = "SUCCESSFUL" | "FAILED" | "INPROGRESS" | "STOPPED";

/**
 * A build status to post on a commit. Texts longer than the host stores are trimmed by the
 * implementation; a field the host's resource does not define is left out of the body (never sent).
 */
export interface BuildStatusReport {
  /** Identifies the status on the commit (same key = overwrite); at most `limits.statusKeyMax` characters. */
  key: string;
  state: BuildState;
  name?: string;
  /**
   * Link to the build's page; at most `limits.statusUrlMax` characters (the caller fits it: a cut
   * URL would lead nowhere, so implementations refuse a longer one rather than trim it).
   */
  url?: string;
  description?: string;
  /** The branch (Cloud `refname`; Data Center `ref`, made fully qualified by the implementation). */
  refname?: string;
  /**
   * This run's number in the CI system, as text (Buildkite: the build's `number`, e.g. `"42"`).
   * Data Center's repository-based builds API: `buildNumber` (9.2 spec `RestBuildStatusSetRequest.buildNumber`:
   * string, maxLength 255; a longer one is left out, not cut). Not sent to DC's legacy
   * `/rest/build-status` resource (it documents key, state, url, name, description only) nor to
   * Cloud (the `commitstatus` schema has no such field).
   */
  buildNumber?: string;
  /**
   * How long the build ran, in milliseconds (a non-negative integer); only for a build that has
   * ended, absent while it runs. Data Center's repository-based builds API: `duration` (9.2 spec
   * `RestBuildStatusSetRequest.duration`: integer, int64, "Duration of a completed build in
   * milliseconds"). Not sent to DC's legacy resource nor to Cloud (neither defines it).
   */
  durationMs?: number;
}

/** A build status read back from a commit. */
export interface CommitBuildStatus {
  key: string;
  state: BuildState;
  name: string | null;
  url: string | null;
  refname: string | null;
  /** ISO 8601 time of the last update (or creation), null when the host gives none. */
  updatedOn: string | null;
}

export interface HostPerson {
  /** Cloud: Atlassian account id; Data Center: the user slug. */
  accountId: string | null;
  /** Cloud: the braced user UUID; Data Center: the numeric user id as text. */
  uuid: string | null;
  displayName: string;
  avatarUrl: string | null;
}

/** A reviewer's verdict: Cloud approved/changes_requested, Data Center APPROVED/NEEDS_WORK/UNAPPROVED. */
export type ReviewState = "approved" | "changes_requested" | "pending";

export interface HostParticipant extends HostPerson {
  role: "REVIEWER" | "PARTICIPANT";
  state: ReviewState;
}

/** An open pull request: reviewers (requested) and other participants who approved or asked for changes. */
export interface HostPullRequest {
  id: number;
  title: string;
  url: string | null;
  draft: boolean;
  author: HostPerson;
  createdOn: string;
  updatedOn: string;
  sourceBranch: string | null;
  destinationBranch: string | null;
  /** The source commit as the list gives it (Cloud abbreviates it to 12 characters). */
  sourceCommit: string | null;
  participants: HostParticipant[];
}

export interface OpenPullRequests {
  pullRequests: HostPullRequest[];
  /** Bitbucket calls it took (pages followed). */
  calls: number;
}

/** A pull request as history needs it (review insights, issue 18): when it opened, closed, and was reviewed. */
export interface HostPullRequestRecord {
  id: number;
  title: string;
  url: string | null;
  state: "OPEN" | "MERGED" | "DECLINED";
  author: HostPerson;
  /** ISO 8601. */
  createdOn: string;
  /** ISO 8601 time it was merged or declined; null while open. */
  closedOn: string | null;
  /** The reviewers requested now. */
  reviewers: HostPerson[];
  /** Each review given (approval or changes requested), with its ISO 8601 time, from the pull request's activity. */
  reviews: Array<{ reviewer: HostPerson; state: "approved" | "changes_requested"; on: string }>;
}

export interface PullRequestHistoryPage {
  pullRequests: HostPullRequestRecord[];
  /** Opaque: pass it back for the next page; null after the last one. */
  cursor: string | null;
  /** Bitbucket calls this page took. */
  calls: number;
}

export type PermissionLevel = "admin" | "write" | "read" | "none";

export interface RepositoryPermission {
  permission: PermissionLevel;
  /** The repository the host answered for (null when the user has no entry). */
  repository: { id: string | null; fullName: string | null };
}

export interface BitbucketApi {
  /** Which host product answers (`"cloud"`, later `"datacenter"`). */
  readonly product: string;
  /**
   * Limits of the host's build-status resource, in characters: `statusKeyMax` (Cloud 40; Data Center
   * 255) and `statusUrlMax` (Data Center 450, 9.2 spec `RestBuildStatusSetRequest.url` maxLength;
   * Cloud documents none: `Infinity`). Callers fit keys and URLs to them; `postBuildStatus` refuses more.
   */
  readonly limits: { statusKeyMax: number; statusUrlMax: number };
  /** The repository's names, default branch and web link. */
  repository(repo: RepositoryRef): Promise<HostRepository>;
  /**
   * Creates or overwrites (same key) a commit's build status. PermanentError, before any call, when
   * the key exceeds `limits.statusKeyMax` or the URL `limits.statusUrlMax`.
   */
  postBuildStatus(repo: RepositoryRef, commit: string, status: BuildStatusReport): Promise<void>;
  /** Every build status of a commit (all pages). */
  listBuildStatuses(repo: RepositoryRef, commit: string): Promise<CommitBuildStatus[]>;
  /** The most recent statuses of a commit in one call (at most 100, newest first): what a panel shows. */
  commitStatuses(repo: RepositoryRef, commit: string): Promise<CommitBuildStatus[]>;
  /** Every open pull request, following the host's paging, with reviewers and their states. */
  openPullRequests(repo: RepositoryRef): Promise<OpenPullRequests>;
  /**
   * Pull requests of every state updated since `since` (ISO 8601), newest update first, one bounded
   * page at a time (for backfills that resume from `cursor`). Optional until every host implements it.
   */
  pullRequestHistory?(repo: RepositoryRef, opts: { since: string; cursor?: string | null }): Promise<PullRequestHistoryPage>;
  /** One user's effective permission on the repository, asked with the installation's own credentials. */
  permissionOf(repo: RepositoryRef, accountId: string): Promise<RepositoryPermission>;
  /**
   * Is the user an admin of the installation's host scope (Cloud: an `owner` of the workspace; a Data
   * Center door: its project or instance admin)? Asked with the installation's own credentials.
   * Errors: the host's HttpError (403 when the credential may not list the scope's members).
   */
  isScopeAdmin(accountId: string): Promise<boolean>;
  /** The commit's source tree as a streamed `.tar.gz` (never buffered). PermanentError for a malformed hash. */
  archive(repo: RepositoryRef, commit: string): Promise<{ body: Readable; length?: number }>;
}

export type BitbucketApiFactory = (installation: InstallationView) => BitbucketApi;

/**
 * Which implementation serves an installation, and which repository ids it mints, by the host kind
 * of the door it came through (Connect and Forge both register Cloud). One registry per app
 * instance, held in `Services`; a new door registers its own kind without touching integrations.
 */
export class BitbucketApiRegistry {
  private readonly hosts = new Map<HostKind, { factory: BitbucketApiFactory | null; ids: RepositoryIdFormat }>();

  register(host: HostKind, factory: BitbucketApiFactory, ids: RepositoryIdScheme): void {
    this.hosts.set(host, { factory, ids: REPOSITORY_ID_FORMATS[ids] });
  }

  /**
   * The repository ids a host's door mints, for a door that registers them apart from its API (the
   * Data Center login door); an implementation registered before or after is kept.
   */
  registerIds(host: HostKind, ids: RepositoryIdScheme): void {
    this.hosts.set(host, { factory: this.hosts.get(host)?.factory ?? null, ids: REPOSITORY_ID_FORMATS[ids] });
  }

  has(host: HostKind): boolean {
    return Boolean(this.hosts.get(host)?.factory);
  }

  /** The API of an installation. Error when no implementation is registered for its host. */
  for(installation: InstallationView): BitbucketApi {
    const entry = this.hosts.get(installation.host);
    if (!entry?.factory) throw new Error(`No Bitbucket API for host ${installation.host}`);
    return entry.factory(installation);
  }

  /** A repository id of this host's scheme in canonical form, or null (malformed, or another door's). */
  repositoryId(host: HostKind, raw: unknown): string | null {
    const entry = this.hosts.get(host);
    if (!entry || typeof raw !== "string" || raw.length > 200) return null;
    return entry.ids.normalise(raw);
  }
}
