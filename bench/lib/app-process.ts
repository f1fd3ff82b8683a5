import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { FakeBitbucket } from "../../test/fakes/bitbucket";
import { buildServer } from "../../scripts/build-server";
import { buildUi } from "../../ui/build";
import type { BenchTenant } from "./payloads";
import type { BenchDatabase } from "./database";
import { BENCH_ENCRYPTION_KEY, provisionTenant } from "./provision";
import { cpuMsOf } from "./rss";

export const ROOT = path.resolve(__dirname, "../..");
/**
 * The compiled server a bench runs: `dist/main.js`, or `BENCH_APP_DIST/main.js` (a copy of another
 * build's `dist/`, e.g. the commit before a change, for before/after runs in one session; the bench
 * then builds nothing). The copy must sit under the repository, where `static/` is found.
 */
export const APP_DIST = process.env.BENCH_APP_DIST ? path.resolve(ROOT, process.env.BENCH_APP_DIST) : path.join(ROOT, "dist");
export const APP_MAIN = path.join(APP_DIST, "main.js");

/**
 * The node flags `npm start` runs the compiled server with (package.json `scripts.start`,
 * `node <flags> dist/main.js`), so that the benches measure the app as it is started.
 */
export function startNodeFlags(): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const words = (scripts.start ?? "").split(/\s+/).filter(Boolean);
  if (words[0] !== "node" || words[words.length - 1] !== "dist/main.js") throw new Error(`scripts.start is not "node [flags] dist/main.js": ${scripts.start}`);
  return words.slice(1, -1);
}

export interface AppProcess {
  proc: ChildProcess;
  pid: number;
  url: string;
  installationId: string;
  apiKey: string;
  /** The installation's Buildkite webhook token (X-Buildkite-Signature key). */
  webhookToken: string;
  /** From spawn to the app's port accepting connections (`node dist/main.js`, database already provisioned). */
  startupMs: number;
  /** CPU time the app used until then (user + system): what start-up costs, whatever else runs on the machine. */
  startupCpuMs: number | null;
  stop(): Promise<void>;
}

let built: Promise<void> | null = null;
/** Builds the server (`dist/`) and the pages once per bench run, so that every bench measures the current sources. */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    if (process.env.BENCH_APP_DIST) {
      if (!fs.existsSync(APP_MAIN)) throw new Error(`BENCH_APP_DIST: no ${APP_MAIN}`);
      return;
    }
    await buildServer();
    await buildUi();
  })();
  return built;
}

/** A port that was free a moment ago (the app is given it, as an operator gives PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port (polled every 5 ms); rejects if the process exits first. */
export function waitForListening(proc: ChildProcess, port: number, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const onExit = (code: number | null) => {
      done = true;
      reject(new Error(`app exited ${code} before listening: ${stderr()}`));
    };
    proc.once("exit", onExit);
    const attempt = () => {
      if (done) return;
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        done = true;
        proc.off("exit", onExit);
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        setTimeout(attempt, 5);
      });
    };
    attempt();
  });
}

/**
 * Runs the compiled server as `npm start` does — `node <its flags> dist/main.js` from the repository root, config
 * from the environment, NODE_ENV=production — in its own process (so that its RSS and CPU are its
 * own), on a database provisioned beforehand with the bench tenant (bench/lib/provision.ts), talking
 * to the fake Bitbucket. `BENCH_APP_NODE_ARGS` adds node flags (profiling).
 */
export async function startAppProcess(
  fake: FakeBitbucket,
  tenant: BenchTenant,
  db: BenchDatabase,
  env: Record<string, string> = {},
  settings?: Parameters<typeof provisionTenant>[3],
): Promise<AppProcess> {
  await ensureBuilt();
  const { installationId, apiKey, webhookToken } = await provisionTenant(db, tenant, fake.url, settings);
  fake.addInstallation({ clientKey: tenant.clientKey, sharedSecret: tenant.sharedSecret, appKey: "bitbucket-relay", workspace: tenant.workspace });
  fake.addRepository({ workspace: tenant.workspace.slug, slug: tenant.repo.slug, uuid: tenant.repo.uuid, mainBranch: "main", clientKey: tenant.clientKey });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const nodeArgs = [...startNodeFlags(), ...(process.env.BENCH_APP_NODE_ARGS ?? "").split(" ").filter(Boolean)];
  const proc = spawn(process.execPath, [...nodeArgs, APP_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
      DATA_DIR: db.config.kind === "sqlite" ? path.dirname(db.config.file) : fs.mkdtempSync(path.join(os.tmpdir(), "relay-bench-")),
      CONNECT_ALLOWED_HOSTS: "127.0.0.1,localhost",
      PORT: String(port),
      BASE_URL: url,
      ALLOW_LOCAL_BASE_URL: "true", // production guardrails: a bench runs on loopback
      ALLOW_SQLITE_IN_PRODUCTION: "true",
      ...db.env,
      ...env,
    },
    // The app's logs (pino, stdout) are discarded as a log shipper would take them (or appended to
    // BENCH_APP_STDOUT, e.g. with BENCH_APP_NODE_ARGS=--trace-gc); errors are kept.
    stdio: ["ignore", process.env.BENCH_APP_STDOUT ? fs.openSync(process.env.BENCH_APP_STDOUT, "a") : "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  await waitForListening(proc, port, () => stderr);
  const startupMs = performance.now() - started;
  const startupCpuMs = cpuMsOf(proc.pid!);
  return { proc, pid: proc.pid!, url, installationId, apiKey, webhookToken, startupMs, startupCpuMs, stop: () => stopProcess(proc) };
}

/** SIGTERM (the app closes its worker and database), SIGKILL after 15 s. */
export function stopProcess(proc: ChildProcess, graceMs = 15_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    proc.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill("SIGTERM");
  });
}

/**
 * Starts the bare ingest floor (bench/lib/floor-child.ts) in its own process, on its own fresh
 * database of the given kind (a SQLite file, or `FLOOR_DATABASE_URL`), knowing the tenant's secret.
 */
export async function startFloorProcess(tenant: BenchTenant, db: { sqliteFile: string } | { databaseUrl: string }): Promise<{ proc: ChildProcess; pid: number; url: string; stop(): Promise<void> }> {
  const dbEnv: Record<string, string> = "sqliteFile" in db ? { FLOOR_SQLITE_FILE: db.sqliteFile } : { FLOOR_DATABASE_URL: db.databaseUrl };
  const proc = spawn(process.execPath, [...startNodeFlags(), "--import", "tsx", "bench/lib/floor-child.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", BENCH_TENANT: JSON.stringify(tenant), ...dbEnv },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    proc.once("message", (m) => resolve(m as { url: string }));
    proc.once("exit", (code) => reject(new Error(`floor exited ${code}: ${stderr}`)));
  });
  return { proc, pid: proc.pid!, url: ready.url, stop: () => stopProcess(proc) };
}
