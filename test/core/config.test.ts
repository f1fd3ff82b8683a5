import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, awsRuntimeConfig, loadConfig } from "../../src/config/config";
import { runMain } from "../helpers/child";

const KEY = "b".repeat(64);

/** Every problem line the app printed (`configuration error: VAR: …`). */
function problemLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("configuration error: "));
}

describe("Configuration: validated whole, before anything is touched", function () {
  this.timeout(600_000); // a generous bound: each case starts the real entry point in a new process, slow on a loaded machine
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-config-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("NODE_ENV=production without ENCRYPTION_KEY, BASE_URL or DATABASE_URL: one line each, exit 2, no data folder, database or key file", async () => {
    const data = path.join(dir, "data");
    const { code, stderr } = await runMain({ NODE_ENV: "production", DATA_DIR: data, PORT: "0" }).exited;
    assert.equal(code, 2, stderr);
    assert.deepEqual(problemLines(stderr), [
      "configuration error: ENCRYPTION_KEY: required when NODE_ENV=production (32 bytes, hex or base64: `node dist/main.js generate-key` or `openssl rand -hex 32`)",
      "configuration error: BASE_URL: required when NODE_ENV=production (the public URL Bitbucket calls)",
      "configuration error: DATABASE_URL: required when NODE_ENV=production (PostgreSQL); to run one instance on SQLite knowingly set ALLOW_SQLITE_IN_PRODUCTION=true",
    ]);
    assert.equal(stderr.trim().split("\n").length, 3, `nothing but the problems (no stack trace):\n${stderr}`);
    assert.equal(fs.existsSync(data), false, "no data folder (no SQLite file, no generated key)");
  });

  it("lists every problem of a bad environment at once, never showing a secret value", async () => {
    const sqlite = path.join(dir, "db", "relay.sqlite");
    const { code, stderr } = await runMain({
      DATA_DIR: path.join(dir, "data"),
      SQLITE_FILE: sqlite,
      PORT: "eighty",
      LOG_LEVEL: "loud",
      WORKER_CONCURRENCY: "0",
      ENCRYPTION_KEY: "too-short-secret-key",
      RETRY_BASE_MS: "5000",
      RETRY_MAX_MS: "100",
      CONNECT_ALLOWED_HOSTS: "bitbucket.org, evil host",
      RELAY_S3_FORCE_PATH_STYLE: "maybe",
      HTTPS_PROXY: "proxy-with-password:hunter2",
      FORGE_JWKS_URL: "not a url",
    }).exited;
    assert.equal(code, 2, stderr);
    const lines = problemLines(stderr);
    for (const v of ["PORT", "LOG_LEVEL", "WORKER_CONCURRENCY", "ENCRYPTION_KEY", "RETRY_MAX_MS", "CONNECT_ALLOWED_HOSTS", "RELAY_S3_FORCE_PATH_STYLE", "HTTPS_PROXY", "FORGE_JWKS_URL"]) {
      assert.equal(lines.filter((l) => l.startsWith(`configuration error: ${v}: `)).length, 1, `one line for ${v}:\n${stderr}`);
    }
    assert.equal(lines.length, 9, stderr);
    assert.ok(lines.includes('configuration error: PORT: must be a whole number (got "eighty")'), stderr);
    assert.ok(lines.includes("configuration error: RETRY_MAX_MS: must be at least RETRY_BASE_MS (5000)"), stderr);
    assert.ok(!stderr.includes("too-short-secret-key") && !stderr.includes("hunter2"), "secret values are never printed");
    assert.equal(fs.existsSync(path.dirname(sqlite)), false, "no database folder");
    assert.equal(fs.existsSync(path.join(dir, "data")), false, "no data folder");
  });

  it("refuses a DATABASE_URL that is not PostgreSQL, never showing its password", async () => {
    const { code, stderr } = await runMain({
      DATA_DIR: path.join(dir, "data"),
      DATABASE_URL: "mysql://relay:s3cr3t@127.0.0.1/relay",
      ENCRYPTION_KEY: KEY,
    }).exited;
    assert.equal(code, 2, stderr);
    assert.deepEqual(problemLines(stderr), ["configuration error: DATABASE_URL: must be a postgres:// or postgresql:// URL"]);
    assert.ok(!stderr.includes("s3cr3t"));
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("starts with a valid configuration (the same folders are then created: the checks above are not vacuous)", async () => {
    const data = path.join(dir, "data");
    const forgeApp = "ari:cloud:ecosystem::app/0f1e2d3c-aaaa-4bbb-8ccc-123456789abc";
    const run = runMain({ NODE_ENV: "production", DATA_DIR: data, PORT: "0", ENCRYPTION_KEY: KEY, BASE_URL: "https://relay.example.com", ALLOW_SQLITE_IN_PRODUCTION: "true", FORGE_APP_ID: forgeApp, LOG_LEVEL: "info", WORKER_ENABLED: "false" });
    try {
      // Forge is the way in: the start-up line names the Forge remote, not the Connect descriptor.
      await run.printed(`Bitbucket Relay listening; Forge app ${forgeApp}: its manifest's remote baseUrl must be https://relay.example.com`);
      assert.ok(fs.existsSync(path.join(data, "relay.sqlite")));
    } finally {
      run.proc.kill("SIGTERM");
      await run.exited;
    }
  });

  it("loadConfig reports all problems in ConfigError.problems; empty variables count as unset", () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: "production", PORT: "-1", BASE_URL: "" }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.length === 4 &&
        err.problems.some((p) => p.startsWith("PORT: must be at least 0")) &&
        err.problems.some((p) => p.startsWith("ENCRYPTION_KEY: required")) &&
        err.problems.some((p) => p.startsWith("BASE_URL: required")),
    );
    const c = loadConfig({ ENCRYPTION_KEY: "", DATABASE_URL: "", HTTPS_PROXY: "" });
    assert.equal(c.database.kind, "sqlite");
    assert.equal(c.encryptionKey, undefined);
    assert.equal(c.aws.httpsProxy, null);
  });

  for (const [baseUrl, line] of [
    ["http://relay.example.com", "BASE_URL: must be an https:// URL when NODE_ENV=production (Bitbucket and the vendors must reach it over HTTPS)"],
    ["https://localhost:3000", "BASE_URL: must not be a local address (localhost) when NODE_ENV=production (Bitbucket and the vendors must reach it over HTTPS)"],
    ["https://127.0.0.1", "BASE_URL: must not be a local address (127.0.0.1) when NODE_ENV=production (Bitbucket and the vendors must reach it over HTTPS)"],
    ["https://[::1]:8443", "BASE_URL: must not be a local address (::1) when NODE_ENV=production (Bitbucket and the vendors must reach it over HTTPS)"],
  ] as const) {
    it(`production refuses BASE_URL=${baseUrl}: one line, exit 2`, async () => {
      const data = path.join(dir, "data");
      const env = { NODE_ENV: "production", DATA_DIR: data, PORT: "0", ENCRYPTION_KEY: KEY, DATABASE_URL: "postgres://relay:pw@127.0.0.1:1/none", BASE_URL: baseUrl };
      const { code, stderr } = await runMain(env).exited;
      assert.equal(code, 2, stderr);
      assert.deepEqual(problemLines(stderr), [`configuration error: ${line}`]);
      assert.equal(fs.existsSync(data), false);
    });
  }

  it("production on SQLite: refused unless ALLOW_SQLITE_IN_PRODUCTION; a local BASE_URL only with ALLOW_LOCAL_BASE_URL", () => {
    const prod = { NODE_ENV: "production", ENCRYPTION_KEY: KEY, BASE_URL: "https://relay.example.com" };
    assert.throws(() => loadConfig(prod), (err: unknown) => err instanceof ConfigError && err.problems.length === 1 && err.problems[0]!.startsWith("DATABASE_URL: required when NODE_ENV=production"));
    assert.equal(loadConfig({ ...prod, ALLOW_SQLITE_IN_PRODUCTION: "true" }).database.kind, "sqlite");
    assert.equal(loadConfig({ ...prod, DATABASE_URL: "postgres://relay@db/relay" }).database.kind, "postgres");
    const local = { ...prod, ALLOW_SQLITE_IN_PRODUCTION: "true", BASE_URL: "http://127.0.0.1:3000" };
    assert.throws(() => loadConfig(local), /BASE_URL: must be an https:\/\/ URL/);
    assert.equal(loadConfig({ ...local, ALLOW_LOCAL_BASE_URL: "true" }).baseUrl, "http://127.0.0.1:3000");
    // Outside production, nothing of this applies (a laptop runs on http://localhost and SQLite).
    assert.equal(loadConfig({ BASE_URL: "http://localhost:3000" }).database.kind, "sqlite");
  });

  it("PORT=0 (any free port) outside production needs BASE_URL: its default http://localhost:<PORT> would name port 0", () => {
    assert.throws(
      () => loadConfig({ PORT: "0" }),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 1 && err.problems[0]!.startsWith("BASE_URL: required when PORT=0"),
    );
    assert.throws(() => loadConfig({ PORT: "00", BASE_URL: "" }), /BASE_URL: required when PORT=0/);
    assert.equal(loadConfig({ PORT: "0", BASE_URL: "http://localhost:8080" }).baseUrl, "http://localhost:8080");
    assert.equal(loadConfig({ PORT: "3001" }).baseUrl, "http://localhost:3001");
  });

  it("ENCRYPTION_KEY_PREVIOUS: a comma list of keys, needs ENCRYPTION_KEY, never shown", () => {
    const old1 = "1".repeat(64);
    const old2 = Buffer.alloc(32, 7).toString("base64");
    assert.deepEqual(loadConfig({ ENCRYPTION_KEY: KEY, ENCRYPTION_KEY_PREVIOUS: `${old1}, ${old2}` }).previousEncryptionKeys, [old1, old2]);
    assert.throws(
      () => loadConfig({ ENCRYPTION_KEY: KEY, ENCRYPTION_KEY_PREVIOUS: `${old1},short-secret` }),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 1 && err.problems[0]!.startsWith("ENCRYPTION_KEY_PREVIOUS: must be a comma list") && !err.message.includes("short-secret"),
    );
    assert.throws(() => loadConfig({ ENCRYPTION_KEY_PREVIOUS: old1 }), /ENCRYPTION_KEY_PREVIOUS: needs ENCRYPTION_KEY/);
  });

  it("AWS settings read where clients are built go through the same loader", () => {
    assert.deepEqual(awsRuntimeConfig({ RELAY_S3_FORCE_PATH_STYLE: "yes", https_proxy: "http://proxy.internal:3128" }), {
      httpsProxy: "http://proxy.internal:3128",
      defaultCredentials: false,
      s3ForcePathStyle: true,
    });
    assert.throws(() => awsRuntimeConfig({ RELAY_AWS_DEFAULT_CREDENTIALS: "perhaps" }), /RELAY_AWS_DEFAULT_CREDENTIALS: must be true or false/);
  });
});
