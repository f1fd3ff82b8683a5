import express, { Router, type Express } from "express";
import type { Server } from "node:http";
import { loadConfig, type Config } from "./config/config";
import { createLogger, type Logger } from "./config/logger";
import { Metrics } from "./config/metrics";
import { Database } from "./db/database";
import { initCoreModels } from "./models";
import { SecretBox } from "./crypto/secrets";
import { startReencryption } from "./crypto/rotation";
import { HttpClient } from "./http/client";
import type { DnsLookup } from "./http/outbound-policy";
import { InstallationService } from "./core/installations";
import { SettingsService } from "./settings/service";
import { registerSettingsSwitches } from "./settings/switches";
import { IntegrationSwitches } from "./core/integration-switches";
import { JobQueue } from "./pipeline/queue";
import { HandlerRegistry } from "./pipeline/registry";
import { Worker } from "./pipeline/worker";
import { BitbucketClient } from "./bitbucket/client";
import { BitbucketApiRegistry } from "./bitbucket/host-api";
import { CloudBitbucketApi } from "./bitbucket/cloud/api";
import type { BitbucketAuth } from "./bitbucket/auth";
import type { Services } from "./core/services";
import { FrontDoors, type FrontDoor } from "./core/front-door";
import { healthRouter } from "./web/health";
import { rootRouter } from "./web/root";
import { createApiRouter, type ApiRouteFactory } from "./web/api";
import { errorHandler, sendError } from "./web/errors";
import { mountStatic } from "./web/pages/static";
import { jsonBodyParser } from "./web/raw-body";
import { INTEGRATIONS, type Integration } from "./integrations";
import { API_ROUTES } from "./web/api/routes";
import { FRONT_DOORS } from "./front-doors";
import { startRetentionSchedule } from "./pipeline/retention";
import { purgeDeliveryLinks } from "./pipeline/delivery-links";
import { registerApplyDefaults } from "./settings/apply-defaults";

export interface AppOptions {
  config?: Config;
  log?: Logger;
  /** Extra handlers (tests); the shipped integrations are always registered. */
  registerHandlers?: (registry: HandlerRegistry, services: Services) => void;
  integrations?: Integration[];
  /** The front doors to serve; default `FRONT_DOORS` (Connect, Forge). */
  frontDoors?: readonly FrontDoor[];
  /** API routes that are not an integration's (settings page, activity log). */
  apiRoutes?: ApiRouteFactory[];
  /** How the outbound policy resolves host names (tests map names to loopback listeners); default dns.lookup. */
  dnsLookup?: DnsLookup;
}

export interface RelayApp {
  app: Express;
  services: Services;
  worker: Worker | null;
  listen(port?: number): Promise<{ server: Server; url: string }>;
  close(): Promise<void>;
}

/** Builds one app instance: database (migrated), services, handlers, front doors, worker. */
export async function createRelayApp(opts: AppOptions = {}): Promise<RelayApp> {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger(config.logLevel);
  const metrics = new Metrics(true);
  // The key first: a key problem must stop the app before the database is created or migrated.
  const box = SecretBox.load(config.encryptionKey, config.dataDir, log, config.isProduction, config.previousEncryptionKeys);
  const db = Database.open(config.database);
  await db.migrate(log);
  initCoreModels(db.sequelize);
  if (config.outbound.allowLoopback) log.warn("OUTBOUND_ALLOW_LOOPBACK is on: tenant-configured URLs may reach this machine's loopback services (development and tests only)");
  const http = new HttpClient({ ...config.http, retry: config.retry, metrics, outbound: { ...config.outbound, lookup: opts.dnsLookup } });
  const installations = new InstallationService(db, box);
  const settings = new SettingsService(db, box, (url) => http.checkTenantUrl(url));
  // The settings cards answer "switched on?" through their `enabled`; other integrations register in `register`.
  const switches = new IntegrationSwitches();
  registerSettingsSwitches(settings, switches);
  const queue = new JobQueue(db);
  const registry = new HandlerRegistry();
  const authCache = new Map<string, BitbucketAuth>();
  const doors = new FrontDoors(opts.frontDoors ?? FRONT_DOORS);
  // Both Cloud doors reach Bitbucket Cloud; a Data Center door registers its own implementation.
  const bitbucketApis = new BitbucketApiRegistry();
  for (const host of ["connect", "forge"] as const) {
    bitbucketApis.register(host, (installation) => new CloudBitbucketApi(services.bitbucketFor(installation), installation), "cloud");
  }
  const services: Services = {
    config,
    log,
    metrics,
    db,
    box,
    http,
    installations,
    settings,
    switches,
    queue,
    registry,
    doors,
    bitbucketFor(installation) {
      const key = `${installation.id}:${installation.credentialKind}`;
      let auth = authCache.get(key);
      if (!auth) {
        auth = doors.authFor(installation, { http, secrets: (id) => installations.secrets(id) });
        authCache.set(key, auth);
      }
      const door = doors.forHost(installation.host);
      return door?.client ? door.client(http, installation, auth) : new BitbucketClient(http, installation.baseApiUrl, installation.baseUrl, auth);
    },
    bitbucketApiFor: (installation) => bitbucketApis.for(installation),
    bitbucketApis,
  };
  installations.onPurge((id) => purgeDeliveryLinks(db, id));
  installations.onPurge(async (id) => {
    for (const key of authCache.keys()) if (key.startsWith(`${id}:`)) authCache.delete(key);
  });

  const integrations = opts.integrations ?? INTEGRATIONS;
  for (const integration of integrations) integration.register(registry, services);
  for (const door of doors.all) door.register?.(services);
  for (const door of doors.all) await door.start?.(services);
  registerApplyDefaults(registry, services);
  opts.registerHandlers?.(registry, services);

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", true);
  app.use(jsonBodyParser(config.maxBodyBytes));
  app.use(express.urlencoded({ extended: false, limit: config.maxBodyBytes }));
  const worker = config.worker.enabled
    ? new Worker(services, {
        concurrency: config.worker.concurrency,
        pollMs: config.worker.pollMs,
        leaseMs: config.worker.leaseMs,
      })
    : null;
  app.use(healthRouter(services, () => (worker ? worker.alive : null)));
  app.use(rootRouter(config));
  const inbound = Router();
  for (const i of integrations) if (i.inboundRoutes) inbound.use(i.inboundRoutes(services));
  app.use("/inbound", inbound);
  mountStatic(app);
  const api = createApiRouter(services, [
    ...(opts.apiRoutes ?? API_ROUTES),
    ...integrations.flatMap((i) => (i.apiRoutes ? [i.apiRoutes.bind(i)] : [])),
    ...doors.all.flatMap((d) => (d.apiRoutes ? [d.apiRoutes.bind(d)] : [])),
  ]);
  for (const door of doors.all) door.mount(app, services, api);
  // ACE mounts its routes on the next tick; the error handler must come after them.
  await new Promise((resolve) => process.nextTick(resolve));
  app.use((_req, res) => sendError(res, 404, "not found"));
  app.use(errorHandler(log));
  worker?.start();
  // Activity retention runs where the worker runs (a web-only instance leaves it to the workers).
  const retention = worker ? startRetentionSchedule(services) : null;
  const background = worker ? integrations.flatMap((i) => (i.background ? [i.background(services)] : [])) : [];
  if (worker) for (const door of doors.all) if (door.background) background.push(door.background(services));
  // ENCRYPTION_KEY rotation: stored secrets move to the current key in the background (src/crypto/rotation.ts).
  if (worker && box.rotating) background.push(startReencryption({ db, box, log, metrics, afterPass: () => installations.forget() }));

  let server: Server | null = null;
  return {
    app,
    services,
    worker,
    listen(port = config.port) {
      return new Promise((resolve, reject) => {
        server = app.listen(port, "0.0.0.0");
        server.once("error", reject);
        server.once("listening", () => {
          const addr = server!.address();
          const p = typeof addr === "object" && addr ? addr.port : port;
          resolve({ server: server!, url: `http://127.0.0.1:${p}` });
        });
      });
    },
    /** Graceful stop: no new requests, in-flight ones answered (up to 10 s), running jobs settled, then the database. */
    async close() {
      if (server) {
        const s = server;
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeIdleConnections();
        const timer = setTimeout(() => s.closeAllConnections(), 10_000);
        await closed;
        clearTimeout(timer);
      }
      for (const b of background) await b.stop();
      await worker?.stop();
      await retention?.stop();
      await db.close();
    },
  };
}
