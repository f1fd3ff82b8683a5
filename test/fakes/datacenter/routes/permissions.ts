import { Router, type Request } from "express";
import type { FakeDataCenter } from "..";
import { DcState, REPO_LEVELS, type DcUser, type GrantLevel, type RepoLevel } from "../state";
import { avatarSize, restUser } from "./rest-user";

const PROJECT_RANK: Record<string, number> = { PROJECT_READ: 1, PROJECT_WRITE: 2, PROJECT_ADMIN: 3 };

/** A user's effective project level (a PROJECT_* grant on it, or a global admin grant = PROJECT_ADMIN). */
function projectRank(fake: FakeDataCenter, user: DcUser, projectKey: string): number {
  let best = 0;
  for (const g of fake.state.grants) {
    if (g.userSlug !== user.slug) continue;
    const rank = g.level === "ADMIN" || g.level === "SYS_ADMIN" ? 3 : g.projectKey === projectKey ? (PROJECT_RANK[g.level] ?? 0) : 0;
    best = Math.max(best, rank);
  }
  return best;
}

function hasGlobal(fake: FakeDataCenter, user: DcUser, level: string): boolean {
  const grants = fake.state.grants.filter((g) => g.userSlug === user.slug).map((g) => g.level);
  if (level === "LICENSED_USER") return user.active;
  if (level === "SYS_ADMIN") return grants.includes("SYS_ADMIN");
  if (level === "ADMIN") return grants.includes("ADMIN") || grants.includes("SYS_ADMIN"); // SYS_ADMIN implies ADMIN
  return false;
}

/**
 * One permission filter of `GET /rest/api/latest/users` (9.2 spec "Permission Filters"): `[root]` the
 * permission; project filters take `[root].projectKey`, repository filters `[root].projectKey` and
 * `[root].repositorySlug`. Effective permissions: project and global grants imply repository ones.
 * Returns null for a filter DC would not understand.
 */
function filterOf(fake: FakeDataCenter, req: Request, root: string): ((u: DcUser) => boolean) | null {
  const level = String(req.query[root]);
  const sub = (k: string) => (req.query[`${root}.${k}`] === undefined ? undefined : String(req.query[`${root}.${k}`]));
  if ((REPO_LEVELS as readonly string[]).includes(level)) {
    const projectKey = sub("projectKey");
    const slug = sub("repositorySlug");
    const repo = projectKey && slug ? fake.state.repository(projectKey, slug) : undefined;
    if (!repo) return () => false;
    return (u) => DcState.atLeast(fake.state.userLevel(u.slug, repo), level as RepoLevel);
  }
  if (level in PROJECT_RANK) {
    const projectKey = sub("projectKey");
    if (!projectKey) return () => false;
    return (u) => projectRank(fake, u, projectKey) >= PROJECT_RANK[level]!;
  }
  if (["LICENSED_USER", "ADMIN", "SYS_ADMIN"].includes(level)) return (u) => hasGlobal(fake, u, level);
  return null;
}

function contains(u: DcUser, text: string): boolean {
  const t = text.toLowerCase();
  return [u.name, u.displayName, u.emailAddress].some((v) => v.toLowerCase().includes(t));
}

/**
 * Users and permissions (9.2 spec): `GET /rest/api/latest/users` (any authenticated caller; `filter`
 * contains-match on name, display name and e-mail; permission filters `permission`, `permission.1`…
 * up to 50, all applied; `avatarSize`; paged by name) and
 * `GET …/repos/{r}/permissions/users` (REPO_ADMIN; only grants made on the repository itself:
 * `RestPermittedUser {user, permission}`, `filter` on names).
 */
export function permissionRoutes(fake: FakeDataCenter): Router {
  const r = Router();
  r.get(["/rest/api/latest/users", "/rest/api/1.0/users"], (req, res) => {
    if (!fake.principal(req)) return fake.error(res, 401, "Authentication failed. Please check your credentials and try again.", "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException");
    const roots = ["permission", ...Array.from({ length: 50 }, (_, i) => `permission.${i + 1}`)];
    const filters: Array<(u: DcUser) => boolean> = [];
    for (const root of roots) {
      if (req.query[root] === undefined) {
        if (root !== "permission") break; // numbering must be continuous from 1
        continue;
      }
      const f = filterOf(fake, req, root);
      if (!f) return fake.error(res, 400, `${String(req.query[root])} is not a valid permission`, "com.atlassian.bitbucket.rest.exception.BadRequestException", root);
      filters.push(f);
    }
    const text = req.query.filter === undefined ? "" : String(req.query.filter);
    const users = [...fake.state.users.values()].filter((u) => u.active && (!text || contains(u, text)) && filters.every((f) => f(u))).sort((a, b) => a.name.localeCompare(b.name));
    const size = avatarSize(req);
    res.json(fake.page(req, users.map((u) => restUser(fake, u, size))));
  });

  r.get(["/rest/api/latest/projects/:projectKey/repos/:repositorySlug/permissions/users", "/rest/api/1.0/projects/:projectKey/repos/:repositorySlug/permissions/users"], (req, res) => {
    const repo = fake.requireRepository(req, res, "REPO_ADMIN");
    if (!repo) return;
    const text = req.query.filter === undefined ? "" : String(req.query.filter).toLowerCase();
    const rows: Array<{ user: DcUser; permission: GrantLevel }> = [];
    for (const g of fake.state.grants) {
      if (g.repositoryId !== repo.id) continue;
      const user = fake.state.users.get(g.userSlug);
      if (user && (!text || user.name.toLowerCase().includes(text) || user.displayName.toLowerCase().includes(text))) rows.push({ user, permission: g.level });
    }
    rows.sort((a, b) => a.user.name.localeCompare(b.user.name));
    res.json(fake.page(req, rows.map((row) => ({ user: restUser(fake, row.user), permission: row.permission }))));
  });
  return r;
}
