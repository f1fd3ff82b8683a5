import type { Express, Request, Router } from "express";
import type { Services } from "../core/services";
import { setPrincipal } from "../web/principal";
import { ignoreBodyErrors, sendError } from "../web/errors";
import { aceAuth } from "./ace-auth";
import { createAddon, type AceAddon } from "./addon";
import { registerConnectCredentials } from "./bitbucket-credentials";
import { lifecycleRouter } from "./lifecycle";
import { webhookRouter } from "./webhooks";

type ConnectRequest = Request & {
  context?: { clientKey?: string; userAccountId?: string; context?: { repository?: { uuid?: unknown } } };
};

/** Pages that Connect iframes load; other issues fill them (review radar, settings). */
export type ConnectPageMounter = (app: Express, services: Services, addon: AceAddon) => void;
const pageMounters: ConnectPageMounter[] = [];
export function registerConnectPages(mount: ConnectPageMounter): void {
  pageMounters.push(mount);
}

/**
 * The Connect front door: the only place that knows about ACE. Lifecycle, webhooks, iframe pages
 * and the JSON API (context JWT → principal) all feed the host-agnostic core.
 */
export function mountConnect(app: Express, services: Services, api: Router): AceAddon {
  registerConnectCredentials();
  const addon = createAddon(app, services);
  // An app-level error handler (a mounted router never sees the body parser's error): see ignoreBodyErrors.
  app.use("/connect/uninstalled", ignoreBodyErrors);
  app.use("/connect", lifecycleRouter(services, addon));
  app.use("/connect", webhookRouter(services, addon));
  const sessionAuth = aceAuth(addon.checkValidToken());
  app.use("/connect/api", sessionAuth, async (req, res, next) => {
    try {
      const ctx = (req as ConnectRequest).context;
      const installation = ctx?.clientKey ? await services.installations.findByClientKey("connect", ctx.clientKey) : null;
      if (!installation) return sendError(res, 401, "unknown client");
      const bound = ctx?.context?.repository?.uuid;
      setPrincipal(res, {
        installation,
        accountId: ctx?.userAccountId ?? null,
        host: "connect",
        repositoryUuid: typeof bound === "string" ? bound : null,
      });
      next();
    } catch (err) {
      next(err);
    }
  });
  app.use("/connect/api", api);
  for (const mount of pageMounters) mount(app, services, addon);
  return addon;
}
