import type { Express, Router } from "express";
import type { FrontDoor } from "../core/front-door";
import type { Services } from "../core/services";
import { ignoreBodyErrors, sendError } from "../web/errors";
import { forgePrincipal } from "./api-auth";
import { forgeSystemTokenAuth } from "./credentials";
import { eventsRouter } from "./events-route";
import { fitAuth, fitVerifyOnly } from "./fit-auth";
import { FitVerifier } from "./fit-verifier";
import { ForgeInstallations } from "./installations";
import { lifecycleRouter } from "./lifecycle-route";
import { SystemTokenStore } from "./system-token";
import { registerTranslateHandler } from "./translate";

declare module "../models/installation" {
  interface HostKinds {
    forge: true;
  }
  interface CredentialKinds {
    "forge-system-token": true;
  }
}
declare module "../models/delivery" {
  interface DeliverySources {
    /** Forge product events (stored as `avi:bitbucket:*`, then translated into webhook events). */
    forge: true;
  }
}

/** Where the manifest's endpoints point (remote baseUrl + route.path); the UI calls `/forge/api/*`. */
export const FORGE_PATHS = {
  events: "/forge/events",
  lifecycle: "/forge/lifecycle",
  scheduled: "/forge/scheduled",
  preUninstall: "/forge/pre-uninstall",
  api: "/forge/api",
} as const;

/**
 * The Forge front door (Forge Remote): every request carries a FIT, verified against Forge's JWKS;
 * product events go into the same durable pipeline as Connect webhooks; the host-agnostic JSON API
 * is served under `/forge/api` for the Custom UI's `invokeRemote`. Closed (404) while FORGE_APP_ID
 * is unset.
 */
function mountForge(app: Express, services: Services, api: Router): void {
  const { appId, jwksUrl } = services.config.forge;
  if (!appId) {
    app.use("/forge", (_req, res) => sendError(res, 404, "the Forge front door is not configured (FORGE_APP_ID)"));
    return;
  }
  const verifier = new FitVerifier({ appId, jwksUrl, http: services.http });
  const installs = new ForgeInstallations(services);
  const tokens = new SystemTokenStore(services.installations);
  services.installations.onPurge(async (id) => tokens.forget(id));
  const deps = { verifier, installations: installs, tokens };
  const backend = fitAuth(deps, "backend");

  app.use(FORGE_PATHS.events, backend, eventsRouter(services));
  app.use(FORGE_PATHS.preUninstall, ignoreBodyErrors); // app level: a mounted router never sees the body parser's error
  app.use("/forge", lifecycleRouter(services, backend, fitVerifyOnly(verifier, "backend"), installs, tokens));
  app.use(FORGE_PATHS.api, fitAuth(deps, "frontend"), forgePrincipal, api);
  app.use("/forge", (_req, res) => sendError(res, 404, "not found"));
}

/** The Forge front door; its translate handler is registered even while the door is closed (stored events still complete). */
export const forgeDoor: FrontDoor = {
  host: "forge",
  credentials: { "forge-system-token": forgeSystemTokenAuth },
  register: registerTranslateHandler,
  mount: mountForge,
};
