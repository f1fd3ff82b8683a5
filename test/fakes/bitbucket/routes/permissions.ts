import { DEFAULT_PAGES } from "../pagination";
import { repositoryPermission } from "../representations";
import type { RepoRecord, WorkspaceRecord } from "../state";
import { listReply } from "./list-response";
import { errorReply, seg, type Reply, type Route, type RouteContext } from "./router";

const BASE = `/2\\.0/workspaces/${seg("workspace")}/permissions/repositories`;

/** `q=permission>"read"` compares by level, not alphabetically. */
const FILTER = { ordinals: { permission: ["read", "write", "admin"] } };

function notAdmin(): Reply {
  return errorReply(403, "Only repository admins may list repository permissions");
}

function permissionsOf(ctx: RouteContext, repos: RepoRecord[]): unknown[] {
  return repos.flatMap((repo) => [...repo.permissions.values()].map((p) => repositoryPermission(ctx.base, repo, p)));
}

const MEMBERS = `/2\\.0/workspaces/${seg("workspace")}/permissions`;

/** A `workspace_membership` in Bitbucket's wire shape. */
function membership(ws: WorkspaceRecord, m: { permission: string; user: unknown }): Record<string, unknown> {
  return { type: "workspace_membership", permission: m.permission, user: m.user, workspace: { type: "workspace", uuid: ws.uuid, slug: ws.slug, name: ws.name } };
}

/**
 * Effective permission of each user set with setRepoPermission (users at "none" are not listed,
 * as users without access are absent from Bitbucket's answer). Filter with `q=user.account_id="..."`.
 */
export const permissionRoutes: Route[] = [
  {
    // "List user permissions in a workspace": the members set with setWorkspacePermission (owner,
    // collaborator, member); `q=user.account_id="…"` / `q=permission="owner"` filter. A caller of
    // another workspace gets 403, as for repository permissions.
    method: "GET",
    pattern: new RegExp(`^${MEMBERS}$`),
    access: "api",
    handle(ctx) {
      const ws = ctx.state.findWorkspace(ctx.params.workspace);
      if (!ws) return errorReply(404, `Workspace ${ctx.params.workspace} not found`);
      if (ctx.identity.kind === "none" || (ctx.identity.workspace !== null && ctx.identity.workspace !== ws)) {
        return errorReply(403, "You may not list this workspace's members");
      }
      const values = [...(ws.members?.values() ?? [])].map((m) => membership(ws, m));
      return listReply(ctx, values, { limits: DEFAULT_PAGES, filter: { ordinals: { permission: ["member", "collaborator", "owner"] } } });
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${BASE}/${seg("repo_slug")}$`),
    access: "api",
    handle(ctx) {
      const repo = ctx.state.findRepo(ctx.params.workspace, ctx.params.repo_slug);
      if (!repo) return errorReply(404, `Repository ${ctx.params.workspace}/${ctx.params.repo_slug} not found`);
      if (!ctx.state.canAccess(ctx.identity, repo)) return notAdmin();
      return listReply(ctx, permissionsOf(ctx, [repo]), { limits: DEFAULT_PAGES, filter: FILTER });
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${BASE}$`),
    access: "api",
    handle(ctx) {
      const ws = ctx.state.findWorkspace(ctx.params.workspace);
      if (!ws) return errorReply(404, `Workspace ${ctx.params.workspace} not found`);
      const repos = ctx.state.reposOf(ws).filter((r) => ctx.state.canAccess(ctx.identity, r));
      if (repos.length === 0 && ctx.state.reposOf(ws).length > 0) return notAdmin();
      return listReply(ctx, permissionsOf(ctx, repos), { limits: DEFAULT_PAGES, filter: FILTER });
    },
  },
];
