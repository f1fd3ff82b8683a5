import { Router } from "express";
import type { Services } from "../core/services";

export type InboundRouteFactory = (services: Services) => Router;
const factories: InboundRouteFactory[] = [];

/**
 * Public inbound endpoints that are neither Connect nor Forge (Buildkite webhooks, EventBridge API
 * destinations). Each authenticates its own sender (HMAC, API key) and then calls `ingest()`.
 * Mounted at `/inbound`.
 */
export function registerInboundRoutes(factory: InboundRouteFactory): void {
  factories.push(factory);
}

export function inboundRouter(services: Services): Router {
  const router = Router();
  for (const f of factories) router.use(f(services));
  return router;
}
