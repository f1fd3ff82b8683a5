import { randomBytes } from "node:crypto";
import { Client } from "pg";

/** Creates an empty database on the server of `adminUrl` and returns its URL. */
export async function createPostgresDatabase(adminUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * A fresh, empty PostgreSQL database for one test app (when TEST_DATABASE_URL is set), so suites
 * run isolated on the same server. Returns undefined on SQLite runs.
 */
export async function freshPostgresUrl(): Promise<string | undefined> {
  const admin = process.env.TEST_DATABASE_URL;
  return admin ? createPostgresDatabase(admin, "relay_t") : undefined;
}
