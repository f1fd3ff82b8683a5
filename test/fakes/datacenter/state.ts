/**
 * The fake Bitbucket Data Center's data: projects, repositories, users, permission grants and HTTP
 * access tokens, in the vocabulary of the 9.2 spec (`RestProject`, `RestRepository`,
 * `RestApplicationUser`, `Permission`). Route modules (`routes/*.ts`) read and change it.
 */

/** DC's permission levels that matter to a repository, weakest first (spec enum `Permission`). */
export const REPO_LEVELS = ["REPO_READ", "REPO_WRITE", "REPO_ADMIN"] as const;
export type RepoLevel = (typeof REPO_LEVELS)[number];
/** Grants: repository, project (cover its repositories) or global (`ADMIN`, `SYS_ADMIN` cover all). */
export type GrantLevel = RepoLevel | "PROJECT_READ" | "PROJECT_WRITE" | "PROJECT_ADMIN" | "ADMIN" | "SYS_ADMIN";

export interface DcProject {
  id: number;
  key: string;
  name: string;
  type: "NORMAL" | "PERSONAL";
}

export interface DcRepository {
  id: number;
  slug: string;
  name: string;
  projectKey: string;
  /** The default branch, fully qualified (`refs/heads/main`); null when none exists yet. */
  defaultBranch: string | null;
  archived: boolean;
}

export interface DcUser {
  id: number;
  /** The login name (`X-AUSERNAME`). */
  name: string;
  /** The URL-safe form of the name (may differ from it: spec note on `RestApplicationUser.slug`). */
  slug: string;
  displayName: string;
  emailAddress: string;
  type: "NORMAL" | "SERVICE";
  active: boolean;
}

export interface Grant {
  userSlug: string;
  level: GrantLevel;
  projectKey?: string;
  repositoryId?: number;
}

/**
 * An HTTP access token. A user token acts as its user, capped by its own permissions; a project or
 * repository token acts on that scope only and works only as Bearer (datacenter-app.md §0.3).
 */
export interface DcToken {
  token: string;
  /** The user it acts for (user tokens and OAuth access tokens); null for project/repository tokens. */
  userSlug: string | null;
  permissions: GrantLevel[];
  scope: { kind: "user" } | { kind: "project"; projectKey: string } | { kind: "repository"; repositoryId: number };
  /** ms since the epoch; null = never. */
  expiresAt: number | null;
}

const RANK: Record<RepoLevel, number> = { REPO_READ: 1, REPO_WRITE: 2, REPO_ADMIN: 3 };

/** What a grant gives on repositories: the repository level it implies. */
function implied(level: GrantLevel): RepoLevel {
  if (level === "ADMIN" || level === "SYS_ADMIN" || level === "PROJECT_ADMIN" || level === "REPO_ADMIN") return "REPO_ADMIN";
  if (level === "PROJECT_WRITE" || level === "REPO_WRITE") return "REPO_WRITE";
  return "REPO_READ";
}

export class DcState {
  projects = new Map<string, DcProject>();
  repositories = new Map<number, DcRepository>();
  users = new Map<string, DcUser>();
  grants: Grant[] = [];
  tokens = new Map<string, DcToken>();
  private nextId = 1;

  id(): number {
    return this.nextId++;
  }

  repository(projectKey: string, slug: string): DcRepository | undefined {
    for (const r of this.repositories.values()) if (r.projectKey.toLowerCase() === projectKey.toLowerCase() && r.slug === slug) return r;
    return undefined;
  }

  /** A user's effective level on a repository (the strongest grant that covers it), or null. */
  userLevel(userSlug: string, repo: DcRepository): RepoLevel | null {
    let best: RepoLevel | null = null;
    for (const g of this.grants) {
      if (g.userSlug !== userSlug) continue;
      const covers =
        g.level === "ADMIN" || g.level === "SYS_ADMIN"
          ? true
          : g.level.startsWith("PROJECT_")
            ? g.projectKey === repo.projectKey
            : g.repositoryId === repo.id;
      if (!covers) continue;
      const level = implied(g.level);
      if (!best || RANK[level] > RANK[best]) best = level;
    }
    return best;
  }

  /** What a token may do on a repository: its scope and permissions, capped by its user's own level. */
  tokenLevel(token: DcToken, repo: DcRepository): RepoLevel | null {
    if (token.scope.kind === "project" && token.scope.projectKey !== repo.projectKey) return null;
    if (token.scope.kind === "repository" && token.scope.repositoryId !== repo.id) return null;
    let best: RepoLevel | null = null;
    for (const p of token.permissions) {
      if (p.startsWith("PROJECT_") && token.scope.kind === "repository") continue;
      const level = implied(p);
      if (!best || RANK[level] > RANK[best]) best = level;
    }
    if (!best || !token.userSlug) return best;
    const own = this.userLevel(token.userSlug, repo);
    if (!own) return null;
    return RANK[own] < RANK[best] ? own : best;
  }

  /** Whether `have` is at least `need`. */
  static atLeast(have: RepoLevel | null, need: RepoLevel): boolean {
    return have !== null && RANK[have] >= RANK[need];
  }
}
