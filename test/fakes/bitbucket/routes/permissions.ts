import { DEFAULT_PAGES } from "../pagination";
import { repositoryPermission } from "../representations";
import type { RepoRecord } from "../state";
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

/**
 * Effective permission of each user set with setRepoPermission (users at "none" are not listed,
 * as users without access are absent from Bitbucket's answer). Filter with `q=user.account_id="..."`.
 */
export const permissionRoutes: Route[] = [
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
