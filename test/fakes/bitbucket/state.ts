import { bitbucketTimestamp, bracedUuid, randomUuid, sameUuid } from "./ids-and-timestamps";
import type { Account, ActivityInput, ArchiveSource, CommitStatus, InstallationInput, PullRequest, WorkspaceRef } from "./types";

export interface WorkspaceRecord {
  uuid: string; // braced
  slug: string;
  name: string;
  /** Workspace memberships by account id (setWorkspacePermission); absent users are not members. */
  members?: Map<string, { permission: WorkspacePermission; user: Account }>;
}

export type WorkspacePermission = "owner" | "collaborator" | "member";

export interface InstallationRecord {
  clientKey: string;
  sharedSecret: string;
  appKey: string;
  scopes: string;
  workspace: WorkspaceRecord;
}

export interface PermissionRecord {
  permission: "admin" | "write" | "read";
  user: Account;
}

export interface RepoRecord {
  workspace: WorkspaceRecord;
  slug: string;
  uuid: string; // braced
  name: string;
  mainBranch: string;
  clientKey: string | null;
  createdOn: string;
  /** Stored with full commit hashes; routes abbreviate them on the wire. */
  pullRequests: Map<number, PullRequest>;
  /** Pull request id -> its activity log entries, oldest first (served newest first like Bitbucket). */
  activity: Map<number, ActivityInput[]>;
  /** commit sha -> status key -> status, in creation order. */
  statuses: Map<string, Map<string, CommitStatus>>;
  permissions: Map<string, PermissionRecord>;
  archives: Map<string, ArchiveSource>;
}

export interface TokenRecord {
  /** Installation clientKey, or any label given to addBearerToken. */
  clientKey: string;
  /** null = every workspace. */
  workspace: WorkspaceRecord | null;
  /** null = never expires. */
  expiresAt: number | null;
  scopes: string;
}

/** Who a request authenticated as, once its credential was checked. */
export interface Identity {
  kind: "jwt" | "bearer" | "none";
  clientKey: string | null;
  /** null with kind != "none" means the credential reaches every workspace. */
  workspace: WorkspaceRecord | null;
}

export const DEFAULT_SCOPES = "account pullrequest repository repository:write webhook";

/** Everything the fake knows: installations, workspaces, repositories and what they hold, tokens. */
export class FakeState {
  readonly installations = new Map<string, InstallationRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  private readonly workspaces = new Map<string, WorkspaceRecord>();
  private readonly repos = new Map<string, RepoRecord>();

  addInstallation(i: InstallationInput): InstallationRecord {
    const workspace = this.ensureWorkspace(i.workspace.slug, i.workspace.uuid);
    const record: InstallationRecord = { ...i, scopes: i.scopes ?? DEFAULT_SCOPES, workspace };
    this.installations.set(i.clientKey, record);
    return record;
  }

  /** Registers a workspace, or returns the known one (a given uuid replaces a generated one). */
  ensureWorkspace(slug: string, uuid?: string): WorkspaceRecord {
    const existing = this.workspaces.get(slug.toLowerCase());
    if (existing) {
      if (uuid) existing.uuid = bracedUuid(uuid);
      return existing;
    }
    const ws: WorkspaceRecord = { slug, uuid: bracedUuid(uuid ?? randomUuid()), name: slug };
    this.workspaces.set(slug.toLowerCase(), ws);
    return ws;
  }

  /** A workspace by slug or `{uuid}`, as Bitbucket accepts either in paths. */
  findWorkspace(slugOrUuid: string | WorkspaceRef): WorkspaceRecord | undefined {
    if (typeof slugOrUuid !== "string") return this.ensureWorkspace(slugOrUuid.slug, slugOrUuid.uuid);
    const bySlug = this.workspaces.get(slugOrUuid.toLowerCase());
    if (bySlug) return bySlug;
    if (!slugOrUuid.startsWith("{")) return undefined;
    return [...this.workspaces.values()].find((w) => sameUuid(w.uuid, slugOrUuid));
  }

  addRepository(ws: WorkspaceRecord, r: { slug: string; uuid: string; name?: string; mainBranch?: string; clientKey?: string }): RepoRecord {
    const key = `${ws.slug}/${r.slug}`.toLowerCase();
    const previous = this.repos.get(key);
    const repo: RepoRecord = {
      workspace: ws,
      slug: r.slug,
      uuid: bracedUuid(r.uuid),
      name: r.name ?? r.slug,
      mainBranch: r.mainBranch ?? "main",
      clientKey: r.clientKey ?? null,
      createdOn: previous?.createdOn ?? bitbucketTimestamp(),
      pullRequests: previous?.pullRequests ?? new Map(),
      activity: previous?.activity ?? new Map(),
      statuses: previous?.statuses ?? new Map(),
      permissions: previous?.permissions ?? new Map(),
      archives: previous?.archives ?? new Map(),
    };
    this.repos.set(key, repo);
    return repo;
  }

  /** A repository by (workspace slug or `{uuid}`, repo slug or `{uuid}`). */
  findRepo(workspace: string, slug: string): RepoRecord | undefined {
    const ws = this.findWorkspace(workspace);
    if (!ws) return undefined;
    const direct = this.repos.get(`${ws.slug}/${slug}`.toLowerCase());
    if (direct) return direct;
    if (!slug.startsWith("{")) return undefined;
    return [...this.repos.values()].find((r) => r.workspace === ws && sameUuid(r.uuid, slug));
  }

  /** For the test-facing helpers: a missing repository is a mistake in the test. */
  requireRepo(workspace: string, slug: string): RepoRecord {
    const repo = this.findRepo(workspace, slug);
    if (!repo) throw new Error(`FakeBitbucket: unknown repository ${workspace}/${slug} (call addRepository first)`);
    return repo;
  }

  reposOf(ws: WorkspaceRecord): RepoRecord[] {
    return [...this.repos.values()].filter((r) => r.workspace === ws);
  }

  /** The installation's workspace must own the repo (or the repo names the caller's clientKey). */
  canAccess(identity: Identity, repo: RepoRecord): boolean {
    if (identity.kind === "none") return false;
    if (identity.clientKey !== null && identity.clientKey === repo.clientKey) return true;
    if (identity.workspace === null) return true;
    return identity.workspace === repo.workspace;
  }

  /**
   * The stored commit a (possibly abbreviated) sha refers to. Bitbucket resolves short hashes to the
   * full commit; the fake only knows commits it has seen (statuses, pull requests, archives).
   */
  resolveCommit(repo: RepoRecord, sha: string): string {
    const lower = sha.toLowerCase();
    const known = [...repo.statuses.keys(), ...repo.archives.keys()];
    for (const pr of repo.pullRequests.values()) known.push(pr.source.commit.hash, pr.destination.commit.hash);
    const hit = known.find((k) => commitsMatch(k, lower));
    return hit ?? lower;
  }

  statusesOf(repo: RepoRecord, sha: string): CommitStatus[] {
    const out: CommitStatus[] = [];
    for (const [commit, byKey] of repo.statuses) if (commitsMatch(commit, sha)) out.push(...byKey.values());
    return out;
  }
}

/** Same commit when one hash is a prefix (>= 7 chars) of the other. */
export function commitsMatch(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return true;
  if (Math.min(x.length, y.length) < 7) return false;
  return x.startsWith(y) || y.startsWith(x);
}
