import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../../db/database";

/** Raw SQL that runs the same on SQLite and PostgreSQL (the radar's tables have no models: no global binding). */
export async function select<T extends object>(db: Database, sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
  return db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
}

export async function exec(db: Database, sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<void> {
  await db.sequelize.query(sql, { replacements, transaction });
}
