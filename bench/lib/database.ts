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

/** The databases a bench covers: SQLite always, PostgreSQL when BENCH_DATABASE_URL is set. */
export function benchDatabaseKinds(): Array<BenchDatabase["label"]> {
  return process.env.BENCH_DATABASE_URL ? ["SQLite", "PostgreSQL"] : ["SQLite"];
}

/** A fresh, empty database: a new SQLite file, or a new database on BENCH_DATABASE_URL's server. */
export async function freshDatabase(label: BenchDatabase["label"]): Promise<BenchDatabase> {
  if (label === "SQLite") {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "relay-bench-")), "relay.sqlite");
    return { label, env: { SQLITE_FILE: file }, config: { kind: "sqlite", file } };
  }
  const admin = process.env.BENCH_DATABASE_URL;
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
  if (db.config.kind !== "postgres" || !process.env.BENCH_DATABASE_URL) return;
  const name = new URL(db.config.url).pathname.slice(1);
  const client = new Client({ connectionString: process.env.BENCH_DATABASE_URL });
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
