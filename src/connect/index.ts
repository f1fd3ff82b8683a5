import type { Express, Router } from "express";
import type { Services } from "../core/services";
import { ignoreBodyErrors } from "../web/errors";
import { createAddon, type AceAddon } from "./addon";
import { registerConnectCredentials } from "./bitbucket-credentials";
import { lifecycleRouter } from "./lifecycle";
import { pageApiAuth } from "./page-api-auth";
import { webhookRouter } from "./webhooks";

/** Pages that Connect iframes load; other issues fill them (review radar, settings). */
export type ConnectPageMounter = (app: Express, services: Services, addon: AceAddon) => void;
const pageMounters: ConnectPageMounter[] = [];
export function registerConnectPages(mount: ConnectPageMounter): void {
  pageMounters.push(mount);
}

/**
 * The Connect front door: the only place that knows about ACE. Lifecycle, webhooks, iframe pages
 * and the JSON API (page API token → principal) all feed the host-agnostic core.
 */
export function mountConnect(app: Express, services: Services, api: Router): AceAddon {
  registerConnectCredentials();
  const addon = createAddon(app, services);
  // An app-level error handler (a mounted router never sees the body parser's error): see ignoreBodyErrors.
  app.use("/connect/uninstalled", ignoreBodyErrors);
  app.use("/connect", lifecycleRouter(services, addon));
  app.use("/connect", webhookRouter(services));
  app.use("/connect/api", pageApiAuth(services));
  app.use("/connect/api", api);
  for (const mount of pageMounters) mount(app, services, addon);
  return addon;
}
