import type { Express, Router } from "express";
import type { FrontDoor } from "../core/front-door";
import type { Services } from "../core/services";
import { ignoreBodyErrors } from "../web/errors";
import { createAddon } from "./addon";
import { connectJwtAuth } from "./bitbucket-credentials";
import { lifecycleRouter } from "./lifecycle";
import { pageApiAuth } from "./page-api-auth";
import { mountConnectPages } from "./pages";
import { webhookRouter } from "./webhooks";

declare module "../models/installation" {
  interface HostKinds {
    connect: true;
  }
  interface CredentialKinds {
    "connect-jwt": true;
  }
}
declare module "../models/delivery" {
  interface DeliverySources {
    /** Bitbucket Cloud webhooks of Connect installations. */
    bitbucket: true;
  }
}

/**
 * Mounts the Connect front door: the only place that knows about ACE. Lifecycle, webhooks, iframe
 * pages and the JSON API (page API token → principal) all feed the host-agnostic core.
 */
function mountConnect(app: Express, services: Services, api: Router): void {
  const addon = createAddon(app, services);
  // An app-level error handler (a mounted router never sees the body parser's error): see ignoreBodyErrors.
  app.use("/connect/uninstalled", ignoreBodyErrors);
  app.use("/connect", lifecycleRouter(services, addon));
  app.use("/connect", webhookRouter(services));
  app.use("/connect/api", pageApiAuth(services));
  app.use("/connect/api", api);
  mountConnectPages(app, services, addon);
}

/** The Connect front door (Bitbucket Cloud, atlassian-connect-express). */
export const connectDoor: FrontDoor = {
  host: "connect",
  credentials: { "connect-jwt": connectJwtAuth },
  mount: mountConnect,
};
