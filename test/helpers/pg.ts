import { randomBytes } from "node:crypto";
import { Client } from "pg";

/**
 * A fresh, empty PostgreSQL database for one test app (when TEST_DATABASE_URL is set), so suites
 * run isolated on the same server. Returns undefined on SQLite runs.
 */
export async function freshPostgresUrl(): Promise<string | undefined> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) return undefined;
  const name = `relay_t_${randomBytes(6).toString("hex")}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}
