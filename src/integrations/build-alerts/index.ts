import type { Integration } from "../index";
import { registerBuildAlerts } from "./handlers";
import "./settings";

/** Build alerts: failed commit statuses open incidents in AlertOps / PagerDuty / a signed webhook. */
export const buildAlertsIntegration: Integration = {
  id: "build-alerts",
  register(registry, services) {
    registerBuildAlerts(registry, services);
  },
};
