import fs from "node:fs";
import path from "node:path";
import ace from "atlassian-connect-express";
import type { Express, RequestHandler } from "express";
import type { Services } from "../core/services";
import { aceStoreFactory } from "./ace-store";

/** The parts of ACE's add-on object this front door uses. */
export interface AceAddon {
  authenticate(skipQsh?: boolean): RequestHandler;
  authenticateWebhook?(): RequestHandler;
  checkValidToken(): RequestHandler;
  descriptor: { key: string; modules?: Record<string, unknown> };
}

export const DESCRIPTOR_FILE = "atlassian-connect.json";

/**
 * Creates ACE on the Express app, configured for Bitbucket: tenants read from the installation
 * model, auth errors passed to us (we answer 401), no file watching, no auto-registration (app
 * passwords are gone), no install route of ACE's own (ours stores and verifies).
 */
export function createAddon(app: Express, services: Services): AceAddon {
  if (!fs.existsSync(path.resolve(DESCRIPTOR_FILE))) {
    throw new Error(`${DESCRIPTOR_FILE} not found in ${process.cwd()}: start the app from the repository root`);
  }
  // ACE reads its options from AC_OPTS itself: the configured ones, plus no-reg.
  process.env.AC_OPTS = [services.config.aceOptions, "no-reg"].filter(Boolean).join(",");
  ace.store.register("relay", aceStoreFactory(services.installations) as unknown as Parameters<typeof ace.store.register>[1]);
  const mode = app.get("env") as string;
  const settings = {
    store: { adapter: "relay" },
    localBaseUrl: services.config.baseUrl,
    appKey: services.config.appKey,
    whitelist: services.config.connect.allowedHosts,
    expressErrorHandling: true,
    setupInstallRoute: false,
    watch: false,
    validateDescriptor: false,
    maxTokenAge: 900,
  };
  const silent = {
    info: () => undefined,
    warn: (...args: unknown[]) => services.log.debug({ ace: String(args[args.length - 1]) }, "ace warning"),
    error: (...args: unknown[]) => services.log.debug({ ace: String(args[args.length - 1]) }, "ace error"),
    debug: () => undefined,
  };
  const options = { config: { product: "bitbucket", [mode]: settings, development: settings } } as unknown as Parameters<typeof ace>[1];
  const addon = ace(app, options, silent as unknown as Console) as unknown as AceAddon;
  return addon;
}
