import type { Express } from "express";
import type { Services } from "../../core/services";
import type { AceAddon } from "../addon";
import { mountConnectPage } from "./connect-page";
import { mountConnectWorkspacePage } from "../workspace-page";

/**
 * The Connect iframe pages (the shell and the static bundles are shared by every door: `src/web/pages/`).
 * Each route is the URL its descriptor module points at.
 */
export function mountConnectPages(app: Express, services: Services, addon: AceAddon): void {
  // The repository sidebar panel (`webPanels` key `review-radar`).
  mountConnectPage(app, services, addon, "/connect/panel/review-radar", "review-radar");
  // The repository settings page and activity log (`adminPages` key `relay-settings`); who may change
  // what is decided by the API, per request.
  mountConnectPage(app, services, addon, "/connect/settings", "settings");
  // Review insights, a full page in the repository's navigation (`repoPages` key `review-insights`);
  // readers see it, admins switch it on (decided by the API per request).
  mountConnectPage(app, services, addon, "/connect/insights", "review-insights");
  // Workspace defaults (the descriptor's `configurePage` and account-level `adminPages` key
  // `relay-workspace-defaults`); workspace admins only, decided by the API per request.
  mountConnectWorkspacePage(app, services, addon, "/connect/workspace-defaults");
}
