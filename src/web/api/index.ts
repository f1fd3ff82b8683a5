import { Router } from "express";
import type { Services } from "../../core/services";
import { principalOf, requirePrincipal } from "../principal";

export type ApiRouteFactory = (services: Services) => Router;

const extensions: ApiRouteFactory[] = [];

/** Integrations and pages add their API routes here; each front door mounts the result behind its own auth. */
export function registerApiRoutes(factory: ApiRouteFactory): void {
  extensions.push(factory);
}

/** The app's JSON API, host-agnostic: every route reads the caller from `principalOf(res)`. */
export function createApiRouter(services: Services): Router {
  const router = Router();
  router.use(requirePrincipal);
  router.get("/me", (_req, res) => {
    const p = principalOf(res);
    res.json({
      host: p.host,
      accountId: p.accountId,
      workspace: { uuid: p.installation.workspaceUuid, slug: p.installation.workspaceSlug },
    });
  });
  for (const factory of extensions) router.use(factory(services));
  return router;
}
