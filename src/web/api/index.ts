import { Router } from "express";
import type { Services } from "../../core/services";
import { principalOf, requirePrincipal } from "../principal";
import { enforceRepositoryBinding } from "../repository-binding";

export type ApiRouteFactory = (services: Services) => Router;

/**
 * The app's JSON API, host-agnostic: every route reads the caller from `principalOf(res)`. Built once
 * per app instance; each front door mounts it behind its own authentication.
 */
export function createApiRouter(services: Services, factories: ApiRouteFactory[]): Router {
  const router = Router();
  router.use(requirePrincipal, enforceRepositoryBinding);
  router.get("/me", (_req, res) => {
    const p = principalOf(res);
    res.json({
      host: p.host,
      accountId: p.accountId,
      workspace: { uuid: p.installation.workspaceUuid, slug: p.installation.workspaceSlug },
    });
  });
  for (const factory of factories) router.use(factory(services));
  return router;
}
