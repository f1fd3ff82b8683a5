import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig, type Config } from "../../src/config/config";

/**
 * A config for one test app: its own SQLite file (or DATABASE_URL when `pg`), fast retries, quiet logs.
 * Local fakes of alert targets and chat services listen on 127.0.0.1 over http, so the outbound policy's
 * development switch is on here; the tests of the policy itself pass OUTBOUND_ALLOW_LOOPBACK: "false".
 */
export function testConfig(env: Record<string, string> = {}): Config {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-test-"));
  return loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dir,
    ENCRYPTION_KEY: "a".repeat(64),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    CONNECT_ALLOWED_HOSTS: "127.0.0.1,localhost",
    WORKER_POLL_MS: "50",
    WORKER_LEASE_MS: "5000",
    RETRY_BASE_MS: "20",
    RETRY_MAX_MS: "200",
    HTTP_INLINE_RETRY_MAX_WAIT_MS: "50",
    JOB_MAX_ATTEMPTS: "4",
    OUTBOUND_ALLOW_LOOPBACK: "true",
    BASE_URL: "http://127.0.0.1:1", // replaced by the real address once listening
    // Tests that run as NODE_ENV=production listen on loopback, on SQLite unless TEST_DATABASE_URL.
    ALLOW_LOCAL_BASE_URL: "true",
    ALLOW_SQLITE_IN_PRODUCTION: "true",
    PORT: "0",
    ...env,
  });
}

/** The least env `loadConfig` accepts outside production (no folder, no database is touched by loading). */
export const MINIMAL_ENV = { NODE_ENV: "test", DATA_DIR: "/nonexistent-relay-test", ENCRYPTION_KEY: "a".repeat(64), PORT: "3000" };

/** The problems `loadConfig(env)` reports (its ConfigError's lines), or none when the env is valid. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
