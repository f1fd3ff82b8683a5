import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { createPostgresDatabase } from "../../test/helpers/pg";
import { QueryTypes } from "sequelize";
import { Database } from "../../src/db/database";

/** One database an app instance runs on in a bench: its env for the app, and how to open it from the bench. */
export interface BenchDatabase {
  label: "SQLite" | "PostgreSQL";
  env: Record<string, string>;
  config: { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };
}

/** The PostgreSQL server the benches create their databases on: BENCH_DATABASE_URL, else the tests' TEST_DATABASE_URL. */
export function benchPostgresUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
}

/** The databases a bench covers: SQLite always, PostgreSQL when benchPostgresUrl() names a server. */
export function benchDatabaseKinds(): Array<BenchDatabase["label"]> {
  return benchPostgresUrl() ? ["SQLite", "PostgreSQL"] : ["SQLite"];
}

/** A fresh, empty database: a new SQLite file, or a new database on BENCH_DATABASE_URL's server. */
export async function freshDatabase(label: BenchDatabase["label"]): Promise<BenchDatabase> {
  if (label === "SQLite") {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "relay-bench-")), "relay.sqlite");
    return { label, env: { SQLITE_FILE: file }, config: { kind: "sqlite", file } };
  }
  const admin = benchPostgresUrl();
  if (!admin) throw new Error("BENCH_DATABASE_URL is not set");
  const url = await createPostgresDatabase(admin, "relay_bench");
  return { label, env: { DATABASE_URL: url }, config: { kind: "postgres", url } };
}

/** Stored deliveries by source, read straight from the database (the bench's "stored" figure). */
export async function countDeliveries(db: BenchDatabase): Promise<Record<string, number>> {
  const database = Database.open(db.config);
  try {
    const rows = (await database.sequelize.query("SELECT source, COUNT(*) AS n FROM deliveries GROUP BY source", {
      type: QueryTypes.SELECT,
    })) as Array<{ source: string; n: number | string }>;
    return Object.fromEntries(rows.map((r) => [r.source, Number(r.n)]));
  } finally {
    await database.close();
  }
}

/** Drops a PostgreSQL bench database (SQLite files are left in the temp dir). */
export async function dropDatabase(db: BenchDatabase): Promise<void> {
  const admin = benchPostgresUrl();
  if (db.config.kind !== "postgres" || !admin) return;
  const name = new URL(db.config.url).pathname.slice(1);
  const client = new Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Idempotency keys of the stored deliveries of one source. */
export async function storedKeys(db: BenchDatabase, source: string): Promise<Set<string>> {
  const database = Database.open(db.config);
  try {
    const rows = (await database.sequelize.query("SELECT idempotency_key AS k FROM deliveries WHERE source = :source", {
      replacements: { source },
      type: QueryTypes.SELECT,
    })) as Array<{ k: string }>;
    return new Set(rows.map((r) => r.k));
  } finally {
    await database.close();
  }
}

/** Idempotency keys the ingest floor (bench/lib/floor-child.ts) stored. */
export async function storedFloorKeys(db: BenchDatabase): Promise<Set<string>> {
  const database = Database.open(db.config);
  try {
    const rows = (await database.sequelize.query("SELECT idempotency_key AS k FROM deliveries", { type: QueryTypes.SELECT })) as Array<{ k: string }>;
    return new Set(rows.map((r) => r.k));
  } finally {
    await database.close();
  }
}

/** Every 40-hex commit id found in the stored payloads of one source (for senders whose key the app derives). */
export async function storedPayloadShas(db: BenchDatabase, source: string): Promise<Set<string>> {
  const database = Database.open(db.config);
  try {
    const rows = (await database.sequelize.query("SELECT payload AS p FROM deliveries WHERE source = :source", {
      replacements: { source },
      type: QueryTypes.SELECT,
    })) as Array<{ p: string }>;
    const out = new Set<string>();
    for (const r of rows) for (const m of r.p.matchAll(/\b[0-9a-f]{40}\b/g)) out.add(m[0]);
    return out;
  } finally {
    await database.close();
  }
}

/**
 * Waits until the app's worker has nothing left to do now: no job queued, running, or retrying and
 * due (polled every 200 ms, read-only, while the app runs). Returns false if `timeoutMs` passed first.
 */
export async function jobsDrained(db: BenchDatabase, timeoutMs: number): Promise<boolean> {
  const database = Database.open(db.config);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = (await database.sequelize.query(
        "SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running') OR (status = 'retrying' AND run_at <= :now)",
        { replacements: { now: Date.now() }, type: QueryTypes.SELECT },
      )) as Array<{ n: number | string }>;
      if (Number(row?.n ?? 0) === 0) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await database.close();
  }
}
