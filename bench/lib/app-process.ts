import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FakeBitbucket } from "../../test/fakes/bitbucket";
import type { BenchTenant } from "./payloads";
import type { BenchDatabase } from "./database";

export const ROOT = path.resolve(__dirname, "../..");

export interface AppProcess {
  proc: ChildProcess;
  pid: number;
  url: string;
  installationId: string;
  apiKey: string;
  /** From spawn to listening with the tenant installed, as the parent saw it. */
  startupMs: number;
  stop(): Promise<void>;
}

interface Ready {
  type: "ready";
  url: string;
  installationId: string;
  apiKey: string;
}

/**
 * Starts bench/lib/app-child.ts in its own process (so that its RSS and CPU are its own), on a given
 * database, talking to the fake Bitbucket; registers the tenant it installed with the fake.
 */
export async function startAppProcess(fake: FakeBitbucket, tenant: BenchTenant, db: BenchDatabase, env: Record<string, string> = {}): Promise<AppProcess> {
  const started = performance.now();
  const proc = spawn(process.execPath, [...(process.env.BENCH_APP_NODE_ARGS ?? "").split(" ").filter(Boolean), "--import", "tsx", "bench/lib/app-child.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      ENCRYPTION_KEY: "b".repeat(64),
      DATA_DIR: db.config.kind === "sqlite" ? path.dirname(db.config.file) : fs.mkdtempSync(path.join(os.tmpdir(), "relay-bench-")),
      CONNECT_ALLOWED_HOSTS: "127.0.0.1,localhost",
      PORT: "0",
      BASE_URL: "http://127.0.0.1:1", // replaced by the real address once listening (as in tests)
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      AC_OPTS: "no-reg",
      BENCH_TENANT: JSON.stringify(tenant),
      BENCH_FAKE_URL: fake.url,
      ...db.env,
      ...env,
    },
    // The app's logs (pino, stdout) are discarded as a log shipper would take them; errors are kept.
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const ready = await new Promise<Ready>((resolve, reject) => {
    proc.once("message", (m) => resolve(m as Ready));
    proc.once("exit", (code) => reject(new Error(`bench app exited ${code}: ${stderr}`)));
  });
  const startupMs = performance.now() - started;
  fake.addInstallation({ clientKey: tenant.clientKey, sharedSecret: tenant.sharedSecret, appKey: "bitbucket-relay", workspace: tenant.workspace });
  fake.addRepository({ workspace: tenant.workspace.slug, slug: tenant.repo.slug, uuid: tenant.repo.uuid, mainBranch: "main", clientKey: tenant.clientKey });
  return {
    proc,
    pid: proc.pid!,
    url: ready.url,
    installationId: ready.installationId,
    apiKey: ready.apiKey,
    startupMs,
    stop: () => stopProcess(proc),
  };
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

/** Starts the synchronous-forwarding baseline server (bench/lib/baseline-child.ts) in its own process. */
export async function startBaselineProcess(fake: FakeBitbucket, tenant: BenchTenant): Promise<{ proc: ChildProcess; pid: number; url: string; stop(): Promise<void> }> {
  const proc = spawn(process.execPath, ["--import", "tsx", "bench/lib/baseline-child.ts"], {
    cwd: ROOT,
    env: { ...process.env, BENCH_TENANT: JSON.stringify(tenant), BENCH_FAKE_URL: fake.url },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    proc.once("message", (m) => resolve(m as { url: string }));
    proc.once("exit", (code) => reject(new Error(`baseline exited ${code}: ${stderr}`)));
  });
  fake.addInstallation({ clientKey: tenant.clientKey, sharedSecret: tenant.sharedSecret, appKey: "bitbucket-relay", workspace: tenant.workspace });
  fake.addRepository({ workspace: tenant.workspace.slug, slug: tenant.repo.slug, uuid: tenant.repo.uuid, mainBranch: "main", clientKey: tenant.clientKey });
  return { proc, pid: proc.pid!, url: ready.url, stop: () => stopProcess(proc) };
}
