import path from "node:path";
import { z } from "zod";

/**
 * The one typed config loader. Every setting comes from an environment variable and has a default
 * that runs on a laptop: SQLite under data/, an in-process worker, a generated encryption key.
 */
const bool = z
  .enum(["1", "0", "true", "false", "yes", "no"])
  .transform((v) => v === "1" || v === "true" || v === "yes");

const EnvSchema = z.object({
  NODE_ENV: z.string().default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BASE_URL: z.string().url().optional(),
  APP_KEY: z.string().min(1).max(64).default("bitbucket-relay"),
  DATA_DIR: z.string().default("data"),
  DATABASE_URL: z.string().optional(),
  SQLITE_FILE: z.string().optional(),
  ENCRYPTION_KEY: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WORKER_ENABLED: bool.default(true),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  WORKER_POLL_MS: z.coerce.number().int().min(10).default(1000),
  WORKER_LEASE_MS: z.coerce.number().int().min(100).default(60_000),
  JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  RETRY_BASE_MS: z.coerce.number().int().min(1).default(1000),
  RETRY_MAX_MS: z.coerce.number().int().min(1).default(15 * 60_000),
  HTTP_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  HTTP_INLINE_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  HTTP_INLINE_RETRY_MAX_WAIT_MS: z.coerce.number().int().min(0).default(5_000),
  /** Comma list of host globs Connect installs may come from (ACE's whitelist). */
  CONNECT_ALLOWED_HOSTS: z.string().default("bitbucket.org,api.bitbucket.org"),
  /** Whether iframe pages load Bitbucket's Connect JS API (all.js); off by default under NODE_ENV=test (no network). */
  CONNECT_LOAD_ALL_JS: bool.optional(),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  ACTIVITY_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** Forge front door: the manifest's app.id (ari:cloud:ecosystem::app/<uuid> or the bare uuid); unset = door closed. */
  FORGE_APP_ID: z.string().regex(/^(ari:cloud:ecosystem::app\/)?[A-Za-z0-9-]+$/, "must be the Forge app id").optional(),
  FORGE_JWKS_URL: z.string().url().default("https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json"),
  /** Comma list of hosts a FIT's Bitbucket apiBaseUrl may name (the system token is only ever sent there). */
  FORGE_API_HOSTS: z.string().default("api.bitbucket.org"),
  FORGE_SITE_URL: z.string().url().default("https://bitbucket.org"),
  /** Limits on one commit archive (Proton sync): they protect the shared server from any one tenant. */
  ARCHIVE_MAX_ENTRIES: z.coerce.number().int().min(1).default(100_000),
  ARCHIVE_MAX_TEMPLATE_FOLDERS: z.coerce.number().int().min(1).default(100),
  ARCHIVE_MAX_TEMPLATE_FILES: z.coerce.number().int().min(1).default(500),
  ARCHIVE_MAX_MIB: z.coerce.number().int().min(1).default(1024),
  ARCHIVE_MAX_RATIO: z.coerce.number().min(1).default(100),
  ARCHIVE_MAX_SECONDS: z.coerce.number().min(1).default(300),
});

export interface Config {
  env: string;
  isProduction: boolean;
  port: number;
  baseUrl: string;
  appKey: string;
  dataDir: string;
  database: { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };
  encryptionKey: string | undefined;
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  worker: { enabled: boolean; concurrency: number; pollMs: number; leaseMs: number; maxAttempts: number };
  retry: { baseMs: number; maxMs: number };
  http: { timeoutMs: number; inlineRetries: number; inlineRetryMaxWaitMs: number };
  connect: { allowedHosts: string[]; loadAllJs?: boolean };
  maxBodyBytes: number;
  activityRetentionDays: number;
  forge: { appId: string | null; jwksUrl: string; apiHosts: string[]; siteUrl: string };
  /** See ArchiveLimits (src/integrations/proton/archive-limits.ts). */
  archive: { maxEntries: number; maxTemplateFolders: number; maxTemplateFiles: number; maxBytes: number; maxRatio: number; maxSeconds: number };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const config: Config = {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === "production",
    port: e.PORT,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    appKey: e.APP_KEY,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL }
      : { kind: "sqlite", file: e.SQLITE_FILE ?? path.join(dataDir, "relay.sqlite") },
    encryptionKey: e.ENCRYPTION_KEY,
    logLevel: e.LOG_LEVEL,
    worker: {
      enabled: e.WORKER_ENABLED,
      concurrency: e.WORKER_CONCURRENCY,
      pollMs: e.WORKER_POLL_MS,
      leaseMs: e.WORKER_LEASE_MS,
      maxAttempts: e.JOB_MAX_ATTEMPTS,
    },
    retry: { baseMs: e.RETRY_BASE_MS, maxMs: e.RETRY_MAX_MS },
    http: {
      timeoutMs: e.HTTP_TIMEOUT_MS,
      inlineRetries: e.HTTP_INLINE_RETRIES,
      inlineRetryMaxWaitMs: e.HTTP_INLINE_RETRY_MAX_WAIT_MS,
    },
    connect: {
      allowedHosts: e.CONNECT_ALLOWED_HOSTS.split(",").map((h) => h.trim()).filter(Boolean),
      loadAllJs: e.CONNECT_LOAD_ALL_JS ?? e.NODE_ENV !== "test",
    },
    maxBodyBytes: e.MAX_BODY_BYTES,
    activityRetentionDays: e.ACTIVITY_RETENTION_DAYS,
    forge: {
      appId: e.FORGE_APP_ID ? (e.FORGE_APP_ID.startsWith("ari:") ? e.FORGE_APP_ID : `ari:cloud:ecosystem::app/${e.FORGE_APP_ID}`) : null,
      jwksUrl: e.FORGE_JWKS_URL,
      apiHosts: e.FORGE_API_HOSTS.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean),
      siteUrl: e.FORGE_SITE_URL.replace(/\/$/, ""),
    },
    archive: {
      maxEntries: e.ARCHIVE_MAX_ENTRIES,
      maxTemplateFolders: e.ARCHIVE_MAX_TEMPLATE_FOLDERS,
      maxTemplateFiles: e.ARCHIVE_MAX_TEMPLATE_FILES,
      maxBytes: e.ARCHIVE_MAX_MIB * 1024 * 1024,
      maxRatio: e.ARCHIVE_MAX_RATIO,
      maxSeconds: e.ARCHIVE_MAX_SECONDS,
    },
  };
  return { ...config, ...overrides };
}
