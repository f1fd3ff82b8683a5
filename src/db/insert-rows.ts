import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "./database";

/** SQLite's default limit of bound parameters per statement in older builds (SQLITE_MAX_VARIABLE_NUMBER); PostgreSQL allows 65535. */
const MAX_PARAMETERS = 999;

/**
 * Inserts rows with one parameterized multi-row `INSERT` per chunk (as many rows as 999 bound
 * parameters allow), bypassing model instances: on the ingest path the ORM's per-row building,
 * validation and value escaping (a 20 KB payload escaped into the SQL text, which the database then
 * parses again) cost more than the insert. `columns` maps each SQL column to the row field it takes;
 * values go through as bound parameters (strings, numbers, null). A unique violation is raised as
 * Sequelize's UniqueConstraintError, as the models' bulkCreate raises it.
 */
export async function insertRows<R>(
  db: Database,
  table: string,
  columns: ReadonlyArray<readonly [column: string, value: (row: R) => string | number | null]>,
  rows: readonly R[],
  transaction?: Transaction,
): Promise<void> {
  const perRow = columns.length;
  const chunk = Math.max(1, Math.floor(MAX_PARAMETERS / perRow));
  const names = columns.map(([c]) => c).join(", ");
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const bind: Array<string | number | null> = [];
    const tuples = part.map((row) => {
      const marks = columns.map(([, value]) => {
        bind.push(value(row));
        return `$${bind.length}`;
      });
      return `(${marks.join(", ")})`;
    });
    await db.sequelize.query(`INSERT INTO ${table} (${names}) VALUES ${tuples.join(", ")}`, { bind, transaction, type: QueryTypes.INSERT });
  }
}
