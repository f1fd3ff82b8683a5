/**
 * The bare ingest floor (issue 17): what a Connect webhook costs at the least on this machine, so
 * that the app's ingest figures have something to be compared with. A plain node:http server that
 * for each POST reads the body, verifies the Connect JWT as Bitbucket signs it (atlassian-jwt HS256
 * with the tenant's shared secret, expiry, qsh of method + path), inserts the delivery keyed by
 * X-Request-UUID into the database, and only then answers 202 (200 for a delivery id seen before).
 * SQLite: one file in WAL mode with synchronous=NORMAL (the app's settings), one insert per request;
 * PostgreSQL: a pool of 10 connections (the app's). No framework, no ORM, no batching, no worker.
 *
 * Env: BENCH_TENANT (the tenant JSON), FLOOR_SQLITE_FILE or FLOOR_DATABASE_URL. Reports `{ url }` over IPC.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import * as jwt from "atlassian-jwt";
import type { BenchTenant } from "./payloads";

const tenant = JSON.parse(process.env.BENCH_TENANT ?? "") as BenchTenant;
const secrets = new Map([[tenant.clientKey, tenant.sharedSecret]]);

type Insert = (id: string, key: string, body: string) => Promise<boolean>;

const CREATE = "CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, received_at BIGINT NOT NULL)";

async function sqliteInsert(file: string): Promise<Insert> {
  const { default: sqlite3 } = await import("sqlite3");
  const db = new sqlite3.Database(file);
  const exec = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
  await exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;");
  await exec(CREATE);
  const stmt = db.prepare("INSERT INTO deliveries (id, idempotency_key, payload, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING");
  return (id, key, body) =>
    new Promise((resolve, reject) =>
      stmt.run(id, key, body, Date.now(), function (this: { changes: number }, err: Error | null) {
        if (err) reject(err);
        else resolve(this.changes > 0);
      }),
    );
}

async function postgresInsert(url: string): Promise<Insert> {
  const { Pool } = await import("pg");
  const pool = new Pool({ connectionString: url, max: 10 });
  await pool.query(CREATE);
  return async (id, key, body) => {
    const r = await pool.query(
      "INSERT INTO deliveries (id, idempotency_key, payload, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT (idempotency_key) DO NOTHING",
      [id, key, body, Date.now()],
    );
    return (r.rowCount ?? 0) > 0;
  };
}

/** The Connect JWT check: signature with the issuer's secret, HS256 only, not expired, qsh of this request. */
function verified(req: http.IncomingMessage): boolean {
  const auth = req.headers.authorization;
  if (!auth?.startsWith("JWT ")) return false;
  const token = auth.slice(4);
  try {
    const unverified = jwt.decodeSymmetric(token, "", jwt.SymmetricAlgorithm.HS256, true) as { iss?: string };
    const secret = unverified.iss ? secrets.get(unverified.iss) : undefined;
    if (!secret) return false;
    const claims = jwt.decodeSymmetric(token, secret, jwt.SymmetricAlgorithm.HS256) as { exp?: number; qsh?: string };
    if (typeof claims.exp !== "number" || claims.exp * 1000 < Date.now()) return false;
    return claims.qsh === jwt.createQueryStringHash(jwt.fromMethodAndUrl(req.method ?? "POST", req.url ?? "/"));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const insert = process.env.FLOOR_DATABASE_URL ? await postgresInsert(process.env.FLOOR_DATABASE_URL) : await sqliteInsert(process.env.FLOOR_SQLITE_FILE ?? "");
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (!verified(req)) return void res.writeHead(401).end();
      const key = req.headers["x-request-uuid"];
      if (typeof key !== "string") return void res.writeHead(400).end();
      insert(randomUUID(), key, Buffer.concat(chunks).toString("utf8"))
        .then((fresh) => res.writeHead(fresh ? 202 : 200).end())
        .catch(() => res.writeHead(503).end());
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => {
    process.send?.({ type: "ready", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
process.once("disconnect", () => process.exit(0));
process.once("SIGTERM", () => process.exit(0));
