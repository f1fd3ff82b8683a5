import type { Integration } from "../index";
import { buildkiteDefinition } from "./definition";
import { registerBuildkiteHandlers } from "./handlers";
import { buildkiteInboundRoutes } from "./inbound-routes";
import "./build-event";

/**
 * Buildkite builds reported as Bitbucket build statuses. Two ways in (EventBridge API destination,
 * Buildkite webhooks) under /inbound/buildkite/…, one handler chain (route → report), the settings
 * definition with its copy values and actions. See docs/integrations/buildkite.md.
 */
export const buildkite: Integration = {
  id: buildkiteDefinition.id,
  register: registerBuildkiteHandlers,
  inboundRoutes: buildkiteInboundRoutes,
};
