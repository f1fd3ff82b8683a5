import { Router } from "express";
import type { Services } from "../../core/services";
import { principalOf, requirePrincipal } from "../principal";
import { repositoryBinding } from "../repository-binding";
import { jsonBodyPolicy } from "./body-policy";
import { hostScopeView } from "./host-scope";

export type ApiRouteFactory = (services: Services) => Router;

/**
 * The app's JSON API, host-agnostic: every route reads the caller from `principalOf(res)`. Built once
 * per app instance; each front door mounts it behind its own authentication. Every write takes a
 * non-empty JSON object (`jsonBodyPolicy`: 415 / 400 otherwise) unless its route was registered
 * with `bodylessRoute`.
 */
export function createApiRouter(services: Services, factories: ApiRouteFactory[]): Router {
  const router = Router();
  const routes = factories.map((factory) => factory(services));
  router.use(requirePrincipal, repositoryBinding(services), jsonBodyPolicy(routes));
  router.get("/me", (_req, res) => {
    const p = principalOf(res);
    res.json({
      host: p.host,
      accountId: p.accountId,
      workspace: { uuid: p.installation.workspaceUuid, slug: p.installation.workspaceSlug },
      scope: hostScopeView(services, p.installation),
    });
  });
  for (const r of routes) router.use(r);
  return router;
}
