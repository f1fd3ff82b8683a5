import type { Express, Router } from "express";
import { DcBitbucketApi } from "../bitbucket/datacenter/api";
import { DcCapabilityCache } from "../bitbucket/datacenter/capabilities";
import { DataCenterClient, dataCenterClient } from "../bitbucket/datacenter/client";
import { repositories } from "../core/repositories";
import type { FrontDoor } from "../core/front-door";
import type { InstallationView } from "../core/installations";
import type { Services } from "../core/services";
import { sendError } from "../web/errors";
import { CookieSessions } from "../web/session/cookie-session";
import { dataCenterTokenAuth } from "./credentials";
import { syncDataCenterInstallations } from "./installations";
import { dcApiAuth } from "./login/api-auth";
import { DcUserGrants } from "./login/grants";
import { initDataCenterLoginModels } from "./login/models";
import { pageRoutes } from "./login/pages";
import { loginRoutes } from "./login/routes";
import { registerDataCenterTranslate } from "./events/translate";
import { registerWebhookJobs, startWebhookRepair } from "./webhooks/jobs";
import { dataCenterWebhookRouter } from "./webhooks/receiver";
import { dataCenterWebhookRoutes } from "./webhooks/routes";

declare module "../models/installation" {
  interface HostKinds {
    datacenter: true;
  }
  interface CredentialKinds {
    "dc-token": true;
  }
}
declare module "../models/delivery" {
  interface DeliverySources {
    /** Bitbucket Data Center repository webhooks (`X-Hub-Signature`). */
    datacenter: true;
  }
}

/** Where the Data Center door's routes live; `<instance>` is the instance id (`dataCenterInstanceId`). */
export const DATA_CENTER_PATHS = {
  root: "/datacenter",
  /** Repository webhooks DC delivers: `/datacenter/<instance>/webhook`. */
  webhook: (instanceId: string) => `/datacenter/${instanceId}/webhook`,
  api: "/datacenter/api",
} as const;

/**
 * The Data Center front door (Bitbucket Server / Data Center, issue 16): no Connect or Forge there.
 * The app calls DC's REST API with each instance's service token, registers its own repository
 * webhooks (signed, `X-Hub-Signature`), and serves its pages behind "Log in with Bitbucket" (OAuth
 * 2.0 with PKCE) on a cookie session. Closed (404) while no instance is configured.
 */
function mountDataCenter(app: Express, services: Services, api: Router): void {
  if (!services.config.dataCenter.instances.length) {
    app.use(DATA_CENTER_PATHS.root, (_req, res) => sendError(res, 404, "the Data Center front door is not configured (BITBUCKET_DC_BASE_URL)"));
    return;
  }
  // DC's repository webhooks (signed; no session).
  app.use(DATA_CENTER_PATHS.root, dataCenterWebhookRouter(services));
  // "Log in with Bitbucket Data Center", the door's pages and its JSON API (src/datacenter/login/).
  const login = { services, sessions: new CookieSessions(services), grants: new DcUserGrants(services) };
  app.use(loginRoutes(login));
  app.use(pageRoutes(login));
  app.use(DATA_CENTER_PATHS.api, ...dcApiAuth(login), api);
  app.use(DATA_CENTER_PATHS.root, (_req, res) => sendError(res, 404, "not found"));
}

export const dataCenterDoor: FrontDoor = {
  host: "datacenter",
  credentials: { "dc-token": dataCenterTokenAuth },
  // DC sends no webhook for build statuses: the app emits the commit-status event of its own posts.
  commitStatusEvents: false,
  client: (http, installation, auth) => new DataCenterClient(http, installation.baseApiUrl, installation.baseUrl, auth),
  /** Data Center's `BitbucketApi` for its installations (build capabilities cached per app instance). */
  register(services) {
    initDataCenterLoginModels(services.db.sequelize);
    const capabilities = new DcCapabilityCache();
    const api = (inst: InstallationView) =>
      new DcBitbucketApi(dataCenterClient(services, inst), inst, { capabilities, names: async (id) => (await repositories.get(inst.id, id))?.displayName ?? null });
    services.bitbucketApis.register("datacenter", api, "datacenter");
    // The translate handler and webhook jobs are registered even while no instance is configured (stored work still completes).
    registerDataCenterTranslate(services);
    registerWebhookJobs(services);
  },
  async start(services) {
    await syncDataCenterInstallations(services, services.config.dataCenter.instances);
  },
  background: (services) => startWebhookRepair(services),
  /** The settings page's "Data Center webhook" section: its state, "Repair now", "Rotate secret". */
  apiRoutes: dataCenterWebhookRoutes,
  mount: mountDataCenter,
};
