import type { Router } from "express";
import type { HandlerRegistry } from "../pipeline/registry";
import type { Services } from "../core/services";
import { eventBridgeOutIntegration } from "./eventbridge-out";
import { buildAlertsIntegration } from "./build-alerts";
import { reviewRadar } from "./review-radar";
import { buildkite } from "./buildkite";
import { proton } from "./proton";
import { reviewInsights } from "./review-insights";

/**
 * An integration: its folder holds its settings definition, handlers, client and routes. The app
 * registers its handlers, mounts its inbound routes under `/inbound` and its API routes in the JSON
 * API that every front door serves behind its own authentication.
 */
export interface Integration {
  id: string;
  register(registry: HandlerRegistry, services: Services): void;
  /** Public endpoints for senders that are not Bitbucket (they authenticate the sender themselves). */
  inboundRoutes?(services: Services): Router;
  /** JSON API routes for the app's pages; read the caller with `principalOf(res)`. */
  apiRoutes?(services: Services): Router;
  /**
   * Periodic work of its own (e.g. reminder schedules), started with the worker and stopped when the
   * app closes. Runs in every instance: anything that must happen once claims it in the database.
   */
  background?(services: Services): { stop(): Promise<void> | void };
}

/** Every integration the app ships. */
export const INTEGRATIONS: Integration[] = [eventBridgeOutIntegration, buildAlertsIntegration, reviewRadar, buildkite, proton, reviewInsights];
