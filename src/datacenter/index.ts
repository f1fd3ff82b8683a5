import type { Express, Router } from "express";
import { DataCenterClient } from "../bitbucket/datacenter/client";
import type { FrontDoor } from "../core/front-door";
import type { Services } from "../core/services";
import { sendError } from "../web/errors";
import { dataCenterTokenAuth } from "./credentials";
import { syncDataCenterInstallations } from "./installations";

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
function mountDataCenter(app: Express, services: Services, _api: Router): void {
  if (!services.config.dataCenter.instances.length) {
    app.use(DATA_CENTER_PATHS.root, (_req, res) => sendError(res, 404, "the Data Center front door is not configured (BITBUCKET_DC_BASE_URL)"));
    return;
  }
  app.use(DATA_CENTER_PATHS.root, (_req, res) => sendError(res, 404, "not found"));
}

export const dataCenterDoor: FrontDoor = {
  host: "datacenter",
  credentials: { "dc-token": dataCenterTokenAuth },
  // DC sends no webhook for build statuses: the app emits the commit-status event of its own posts.
  commitStatusEvents: false,
  client: (http, installation, auth) => new DataCenterClient(http, installation.baseApiUrl, installation.baseUrl, auth),
  async start(services) {
    await syncDataCenterInstallations(services, services.config.dataCenter.instances);
  },
  mount: mountDataCenter,
};
