import path from "node:path";
import { z } from "zod";
import { baseUrlProblem, loadDataCenterInstances, type DataCenterInstanceConfig } from "./datacenter";

/**
 * The one typed config loader. Every setting comes from an environment variable and has a default
 * that runs on a laptop: SQLite under data/, an in-process worker, a generated encryption key.
 * Nothing else in src/ reads process.env: `loadConfig` at start-up, `awsRuntimeConfig` where AWS
 * clients are built.
 */
const bool = z.enum(["1", "0", "true", "false", "yes", "no"], { error: "must be true or false (1/0, yes/no)" }).transform((v) => v === "1" || v === "true" || v === "yes");

/** A whole number in [min, max], from its decimal text. */
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** An http(s) URL. */
const url = (what = "URL") => z.string().refine((v) => /^https?:\/\/[^\s/]/i.test(v) && URL.canParse(v), `must be an http(s) ${what}`);

/** A base URL others are built on (links, callbacks): http(s), a path only (baseUrlProblem). */
const baseUrl = z.string().superRefine((v, ctx) => {
  const problem = baseUrlProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** 32 bytes, as 64 hex characters or base64 (the SecretBox key; src/crypto/secrets.ts). */
export function isEncryptionKey(material: string): boolean {
  const raw = /^[0-9a-f]{64}$/i.test(material) ? Buffer.from(material, "hex") : Buffer.from(material, "base64");
  return raw.length === 32;
}

/** Comma list of host names or `*` globs. */
const hostList = z.string().refine((v) => v.split(",").every((h) => /^[a-z0-9*.-]*$/i.test(h.trim())), "must be a comma list of host names (with * globs)");

/** Variables read where AWS SDK clients are built (per job), validated with the rest at start-up. */
const AwsEnvSchema = z.object({
  /** Proxy for every outbound call (Bitbucket, vendors, AWS); tenant URLs are still checked against the outbound policy. */
  HTTPS_PROXY: url("proxy URL").optional(),
  /** Lower-case spelling of HTTPS_PROXY (HTTPS_PROXY wins). */
  https_proxy: url("proxy URL").optional(),
  /** Proxy for plain-http outbound calls (read by undici's EnvHttpProxyAgent; the app itself calls https only). */
  HTTP_PROXY: z.string().optional(),
  /** Lower-case spelling of HTTP_PROXY. */
  http_proxy: z.string().optional(),
  /** Comma list of hosts reached directly, not through the proxy (undici's EnvHttpProxyAgent). */
  NO_PROXY: z.string().optional(),
  /** Self-hosted single tenant: the SDK's default credential chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE, instance role) instead of an assumed role. */
  RELAY_AWS_DEFAULT_CREDENTIALS: bool.default(false),
  /** Path-style S3 addressing (S3-compatible endpoints: MinIO, s3rver). */
  RELAY_S3_FORCE_PATH_STYLE: bool.default(false),
});

/** Comma list of encryption keys (each as ENCRYPTION_KEY). */
const keyList = z.string().refine((v) => v.split(",").every((k) => isEncryptionKey(k.trim())), "must be a comma list of keys, each 32 bytes: 64 hex characters or base64");

/** Every variable the app reads; each with a one-line `/** … *\/` doc comment (docs/configuration.md is generated from them: `npm run docs:config`). */
export const EnvSchema = z.object({
  /** `production` turns on the production guardrails (HTTPS BASE_URL, ENCRYPTION_KEY, PostgreSQL); `test` is for the test suite. */
  NODE_ENV: z.string().default("development"),
  /** TCP port the HTTP server listens on (0: any free port, then BASE_URL must be set). */
  PORT: int(0, 65535).default(3000),
  /** The public https URL Bitbucket, Forge and vendors call; every copied inbound URL starts with it. Required in production. Default: http://localhost:<PORT>. */
  BASE_URL: baseUrl.optional(),
  /** Production tests and benches on one machine only: accept an http:// or loopback BASE_URL under NODE_ENV=production. */
  ALLOW_LOCAL_BASE_URL: bool.default(false),
  /** The Connect app key (the descriptor's `key`). */
  APP_KEY: z.string().min(1).max(64, "must be at most 64 characters").default("bitbucket-relay"),
  /** Folder for the SQLite file and, outside production, the generated development key. */
  DATA_DIR: z.string().default("data"),
  /** PostgreSQL connection URL (postgres://user:password@host:5432/db); unset = SQLite. Required in production unless ALLOW_SQLITE_IN_PRODUCTION. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, "must be a postgres:// or postgresql:// URL").optional(),
  /** SQLite database file when DATABASE_URL is unset. Default: <DATA_DIR>/relay.sqlite. */
  SQLITE_FILE: z.string().optional(),
  /** Run a single production instance on SQLite knowingly (no second instance, back up the file and the key). */
  ALLOW_SQLITE_IN_PRODUCTION: bool.default(false),
  /** The key that encrypts stored secrets (AES-256-GCM): 32 bytes as 64 hex characters or base64 (`node dist/main.js generate-key`, or `npm run key:generate` from a checkout). Required in production; outside it a generated key under DATA_DIR. */
  ENCRYPTION_KEY: z.string().refine(isEncryptionKey, "must be 32 bytes: 64 hex characters or base64").optional(),
  /** Rotation: former keys (comma list) still accepted for decryption; the worker re-encrypts every stored secret with ENCRYPTION_KEY, then they can be removed. */
  ENCRYPTION_KEY_PREVIOUS: keyList.optional(),
  /** pino log level of the JSON log lines on stdout. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "must be one of fatal, error, warn, info, debug, trace, silent" }).default("info"),
  /** Run the job worker (and background schedules) in this process; false = web only. */
  WORKER_ENABLED: bool.default(true),
  /** Jobs one worker runs at once. */
  WORKER_CONCURRENCY: int(1, 64).default(4),
  /** How often an idle worker looks for ready jobs, ms (new jobs of this instance wake it at once). */
  WORKER_POLL_MS: int(10).default(1000),
  /** How long a claimed job stays leased to its worker, ms; a crashed worker's jobs are claimable again after it. */
  WORKER_LEASE_MS: int(100).default(15_000),
  /** Attempts before a failing job is dead (replayable from the activity log). */
  JOB_MAX_ATTEMPTS: int(1, 50).default(8),
  /** First retry back-off of a failed job, ms (doubling each attempt, full jitter; a Retry-After wins). */
  RETRY_BASE_MS: int(1).default(1000),
  /** Longest retry back-off, ms. */
  RETRY_MAX_MS: int(1).default(15 * 60_000),
  /** Timeout of one outbound HTTP call, ms. */
  HTTP_TIMEOUT_MS: int(1).default(10_000),
  /** Quick retries of an outbound call inside one job attempt (429/5xx/network). */
  HTTP_INLINE_RETRIES: int(0, 10).default(2),
  /** Longest wait for an inline retry, ms (a longer Retry-After fails the attempt and the job retries later). */
  HTTP_INLINE_RETRY_MAX_WAIT_MS: int(0).default(5_000),
  /** Development and tests only: tenant-configured URLs (alert targets, chat webhooks) may reach loopback, over http too. */
  OUTBOUND_ALLOW_LOOPBACK: bool.default(false),
  /** Comma list of host globs Connect installs may come from (ACE's whitelist). */
  CONNECT_ALLOWED_HOSTS: hostList.default("bitbucket.org,api.bitbucket.org"),
  /** Whether iframe pages load Bitbucket's Connect JS API (all.js). Default: true (false under NODE_ENV=test: no network). */
  CONNECT_LOAD_ALL_JS: bool.optional(),
  /** Options for atlassian-connect-express (it reads AC_OPTS itself; the app adds `no-reg`). */
  AC_OPTS: z.string().optional(),
  /** Largest inbound request body, bytes. */
  MAX_BODY_BYTES: int(1024).default(1024 * 1024),
  /** Bytes of received events waiting for their group commit (a stalled database); beyond it senders get 503 with Retry-After instead of the process growing. */
  INGEST_MAX_PENDING_BYTES: int(1024 * 1024).default(64 * 1024 * 1024),
  /** Days deliveries and finished jobs (with their outbound calls and replays) are kept for the activity log. */
  ACTIVITY_RETENTION_DAYS: int(1).default(30),
  /** Days review insights keep closed pull requests and reviews (open pull requests are kept while open); the 90-day figures need at least 90 (below that, start-up logs a warning). */
  INSIGHTS_RETENTION_DAYS: int(1).default(180),
  /** Forge front door: the manifest's app.id (ari:cloud:ecosystem::app/<uuid> or the bare uuid); unset = door closed. */
  FORGE_APP_ID: z.string().regex(/^(ari:cloud:ecosystem::app\/)?[A-Za-z0-9-]+$/, "must be the Forge app id").optional(),
  /** Where Forge's invocation-token signing keys are fetched. */
  FORGE_JWKS_URL: url().default("https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json"),
  /** Comma list of hosts a FIT's Bitbucket apiBaseUrl may name (the system token is only ever sent there). */
  FORGE_API_HOSTS: hostList.default("api.bitbucket.org"),
  /** The Bitbucket site Forge users are on (links in messages). */
  FORGE_SITE_URL: baseUrl.default("https://bitbucket.org"),
  /** Entries (files and folders) one commit archive may hold (Proton sync); the ARCHIVE_* limits protect the shared server from any one tenant. */
  ARCHIVE_MAX_ENTRIES: int(1).default(100_000),
  /** Template folders one archive may hold. */
  ARCHIVE_MAX_TEMPLATE_FOLDERS: int(1).default(100),
  /** Files under one template folder. */
  ARCHIVE_MAX_TEMPLATE_FILES: int(1).default(500),
  /** Unpacked size of one archive, MiB. */
  ARCHIVE_MAX_MIB: int(1).default(1024),
  /** Largest unpacked/packed size ratio (zip-bomb guard). */
  ARCHIVE_MAX_RATIO: z.coerce.number().min(1).default(100),
  /** Longest time reading one archive, seconds. */
  ARCHIVE_MAX_SECONDS: z.coerce.number().min(1).default(300),
  /** Data Center front door, one instance: DC's base URL with its context path (https://git.example.com/bitbucket); see docs/datacenter.md. Unset = door closed. */
  BITBUCKET_DC_BASE_URL: z.string().optional(),
  /** Data Center: the service account's HTTP access token (sent as Authorization: Bearer). */
  BITBUCKET_DC_TOKEN: z.string().optional(),
  /** Data Center: client id of the OAuth 2.0 incoming application link ("Log in with Bitbucket"). */
  BITBUCKET_DC_CLIENT_ID: z.string().optional(),
  /** Data Center: client secret of that application link. */
  BITBUCKET_DC_CLIENT_SECRET: z.string().optional(),
  /** Data Center, several instances: a JSON file {"instances":[{baseUrl, token, clientId, clientSecret, name?}]} instead of the four BITBUCKET_DC_* variables. */
  BITBUCKET_DC_INSTANCES_FILE: z.string().optional(),
  /** Data Center: OAuth 2.0 scopes "Log in with Bitbucket" asks for, space-separated (REPO_ADMIN: the repository-admin check uses the user's token; see docs/datacenter-login.md). */
  BITBUCKET_DC_OAUTH_SCOPES: z.string().regex(/^[A-Z_]+( [A-Z_]+)*$/, "must be space-separated scope names (REPO_READ REPO_ADMIN)").default("REPO_READ REPO_ADMIN"),
  ...AwsEnvSchema.shape,
});

/** Variables whose values never appear in an error line (keys, passwords in URLs). */
const SECRET_VARS = new Set(["BITBUCKET_DC_TOKEN", "BITBUCKET_DC_CLIENT_SECRET", "ENCRYPTION_KEY", "ENCRYPTION_KEY_PREVIOUS", "DATABASE_URL", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]);

/** A variable whose value may be a secret: listed above, or named like one (a new `…_TOKEN`, `…_SECRET`, `…_PASSWORD`, `…_KEY` is covered before anyone lists it). */
export function isSecretVariable(name: string): boolean {
  return SECRET_VARS.has(name) || /(TOKEN|SECRET|PASSWORD|PASSPHRASE|CREDENTIALS?|_KEY)(_|$)/i.test(name);
}

/** One line: control characters (newlines from a file name or a library's message) become spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ");
}

/** An empty variable counts as unset (`BASE_URL=` in an env file). */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string" && e[1].trim() !== ""));
}

const isTrue = (v: string | undefined) => v === "1" || v === "true" || v === "yes";

/** Why a production BASE_URL is not public HTTPS (http://, localhost, a loopback or unspecified address), or null. */
export function localBaseUrlProblem(baseUrl: string): string | null {
  if (!URL.canParse(baseUrl)) return null; // the schema reports it
  const u = new URL(baseUrl);
  if (u.protocol !== "https:") return "must be an https:// URL";
  const host = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || /^127\./.test(host) || host === "::1" || host === "0.0.0.0" || host === "::") {
    return `must not be a local address (${host})`;
  }
  return null;
}

/** Problems that involve several variables (each a complete line). */
function crossProblems(env: Record<string, string>): string[] {
  const out: string[] = [];
  if (env.NODE_ENV === "production") {
    if (!env.ENCRYPTION_KEY) out.push("ENCRYPTION_KEY: required when NODE_ENV=production (32 bytes, hex or base64: `node dist/main.js generate-key` or `openssl rand -hex 32`)");
    if (!env.BASE_URL) out.push("BASE_URL: required when NODE_ENV=production (the public URL Bitbucket calls)");
    else if (!isTrue(env.ALLOW_LOCAL_BASE_URL)) {
      const local = localBaseUrlProblem(env.BASE_URL);
      if (local) out.push(`BASE_URL: ${local} when NODE_ENV=production (Bitbucket and the vendors must reach it over HTTPS)`);
    }
    if (!env.DATABASE_URL && !isTrue(env.ALLOW_SQLITE_IN_PRODUCTION)) {
      out.push("DATABASE_URL: required when NODE_ENV=production (PostgreSQL); to run one instance on SQLite knowingly set ALLOW_SQLITE_IN_PRODUCTION=true");
    }
  } else if (env.PORT !== undefined && /^\s*0+\s*$/.test(env.PORT) && !env.BASE_URL) {
    // Outside production BASE_URL defaults to http://localhost:<PORT>: with PORT=0 that names port 0.
    out.push("BASE_URL: required when PORT=0 (any free port): the default http://localhost:<PORT> needs a fixed port");
  }
  if (env.ENCRYPTION_KEY_PREVIOUS && !env.ENCRYPTION_KEY) out.push("ENCRYPTION_KEY_PREVIOUS: needs ENCRYPTION_KEY (the current key) beside it");
  const base = Number(env.RETRY_BASE_MS ?? 1000);
  const max = Number(env.RETRY_MAX_MS ?? 15 * 60_000);
  if (Number.isFinite(base) && Number.isFinite(max) && max < base) out.push(`RETRY_MAX_MS: must be at least RETRY_BASE_MS (${base})`);
  return out;
}

export interface Config {
  env: string;
  isProduction: boolean;
  port: number;
  baseUrl: string;
  appKey: string;
  dataDir: string;
  database: { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };
  encryptionKey: string | undefined;
  /** Former keys still accepted for decryption (ENCRYPTION_KEY_PREVIOUS); see src/crypto/rotation.ts. */
  previousEncryptionKeys: string[];
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
  worker: { enabled: boolean; concurrency: number; pollMs: number; leaseMs: number; maxAttempts: number };
  retry: { baseMs: number; maxMs: number };
  http: { timeoutMs: number; inlineRetries: number; inlineRetryMaxWaitMs: number };
  /** The outbound policy for tenant-configured URLs (src/http/outbound-policy.ts); closed by default in every mode. */
  outbound: { allowLoopback: boolean };
  connect: { allowedHosts: string[]; loadAllJs?: boolean };
  maxBodyBytes: number;
  /** INGEST_MAX_PENDING_BYTES (src/pipeline/ingest.ts). */
  ingestMaxPendingBytes: number;
  activityRetentionDays: number;
  insightsRetentionDays: number;
  forge: { appId: string | null; jwksUrl: string; apiHosts: string[]; siteUrl: string };
  /** The Data Center front door's instances (src/config/datacenter.ts); empty = door closed. */
  dataCenter: { instances: DataCenterInstanceConfig[]; /** BITBUCKET_DC_OAUTH_SCOPES. */ oauthScopes: string };
  aws: AwsRuntimeConfig;
  /** AC_OPTS as set in the environment (ACE's own options). */
  aceOptions: string | null;
  /** See ArchiveLimits (src/integrations/proton/archive-limits.ts). */
  archive: { maxEntries: number; maxTemplateFolders: number; maxTemplateFiles: number; maxBytes: number; maxRatio: number; maxSeconds: number };
}

export interface AwsRuntimeConfig {
  httpsProxy: string | null;
  defaultCredentials: boolean;
  s3ForcePathStyle: boolean;
}

/** Every problem of a configuration, one complete line each (`VARIABLE: what is wrong`). */
export class ConfigError extends Error {
  readonly problems: string[];
  /** Each problem is printed on one line: control characters are replaced by spaces. */
  constructor(problems: string[]) {
    const lines = problems.map(oneLine);
    super(lines.join("\n"));
    this.problems = lines;
    this.name = "ConfigError";
  }
}

function issueLine(env: Record<string, string>, issue: { path: PropertyKey[]; message: string }): string {
  const name = issue.path.map(String).join(".");
  const value = env[name];
  // A secret variable's value is never quoted, nor a value holding URL user info (user:password@).
  const hidden = value === undefined || isSecretVariable(name) || /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i.test(value);
  const shown = hidden ? "" : ` (got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)})`;
  return `${name}: ${issue.message}${shown}`;
}

function toAws(e: z.infer<typeof AwsEnvSchema>): AwsRuntimeConfig {
  return { httpsProxy: e.HTTPS_PROXY ?? e.https_proxy ?? null, defaultCredentials: e.RELAY_AWS_DEFAULT_CREDENTIALS, s3ForcePathStyle: e.RELAY_S3_FORCE_PATH_STYLE };
}

/**
 * The AWS settings as the environment says now: AWS clients are built per job, after start-up
 * validated the same variables (a value that became invalid since throws ConfigError).
 */
export function awsRuntimeConfig(env: NodeJS.ProcessEnv = process.env): AwsRuntimeConfig {
  const clean = withoutEmpty(env);
  const parsed = AwsEnvSchema.safeParse(clean);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => issueLine(clean, i)));
  return toAws(parsed.data);
}

/**
 * Reads and validates every variable at once. Throws ConfigError listing **all** problems (one line
 * each, values of secret variables never shown); touches nothing (no file, no database).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const clean = withoutEmpty(env);
  const parsed = EnvSchema.safeParse(clean);
  const dataCenter = loadDataCenterInstances(clean, clean.NODE_ENV === "production");
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((i) => issueLine(clean, i))), ...crossProblems(clean), ...dataCenter.problems];
  if (problems.length || !parsed.success) throw new ConfigError(problems);
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
    previousEncryptionKeys: (e.ENCRYPTION_KEY_PREVIOUS ?? "").split(",").map((k) => k.trim()).filter(Boolean),
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
    outbound: { allowLoopback: e.OUTBOUND_ALLOW_LOOPBACK },
    connect: {
      allowedHosts: e.CONNECT_ALLOWED_HOSTS.split(",").map((h) => h.trim()).filter(Boolean),
      loadAllJs: e.CONNECT_LOAD_ALL_JS ?? e.NODE_ENV !== "test",
    },
    maxBodyBytes: e.MAX_BODY_BYTES,
    ingestMaxPendingBytes: e.INGEST_MAX_PENDING_BYTES,
    activityRetentionDays: e.ACTIVITY_RETENTION_DAYS,
    insightsRetentionDays: e.INSIGHTS_RETENTION_DAYS,
    forge: {
      appId: e.FORGE_APP_ID ? (e.FORGE_APP_ID.startsWith("ari:") ? e.FORGE_APP_ID : `ari:cloud:ecosystem::app/${e.FORGE_APP_ID}`) : null,
      jwksUrl: e.FORGE_JWKS_URL,
      apiHosts: e.FORGE_API_HOSTS.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean),
      siteUrl: e.FORGE_SITE_URL.replace(/\/$/, ""),
    },
    dataCenter: { instances: dataCenter.instances, oauthScopes: e.BITBUCKET_DC_OAUTH_SCOPES },
    aws: toAws(e),
    aceOptions: e.AC_OPTS ?? null,
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
