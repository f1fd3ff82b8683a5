import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { Sequelize, Transaction } from "sequelize";
import { Umzug, SequelizeStorage } from "umzug";
import { tuneSqliteConnections } from "./sqlite-connections";
import type { Logger } from "../config/logger";
import type { Config } from "../config/config";

export type Dialect = "sqlite" | "postgres";

/** The database of one app instance: SQLite (embedded default) or PostgreSQL (`DATABASE_URL`). */
export class Database {
  readonly dialect: Dialect;
  private txChain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly sequelize: Sequelize,
    private readonly walFile = false,
  ) {
    this.dialect = sequelize.getDialect() as Dialect;
  }

  static open(database: Config["database"]): Database {
    if (database.kind === "postgres") {
      // Epoch-millisecond columns are BIGINT; they fit a JS number, so read them as numbers on PostgreSQL.
      // Set here, not at import: an instance on SQLite never loads the PostgreSQL driver.
      pg.types.setTypeParser(20, (v: string) => Number(v));
      return new Database(
        new Sequelize(database.url, {
          dialect: "postgres",
          logging: false,
          pool: { max: 10, min: 0, idle: 10_000 },
        }),
      );
    }
    if (database.file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(database.file)), { recursive: true });
    const sequelize = new Sequelize({ dialect: "sqlite", storage: database.file, logging: false });
    tuneSqliteConnections(sequelize);
    return new Database(sequelize, database.file !== ":memory:");
  }

  /**
   * Runs `fn` in a transaction. SQLite allows one writer: transactions are serialized in-process so
   * that they queue instead of failing with SQLITE_BUSY.
   */
  async transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    if (this.dialect !== "sqlite") return this.sequelize.transaction(fn);
    const run = this.txChain.then(() => this.sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, fn));
    this.txChain = run.catch(() => undefined);
    return run;
  }

  async ping(): Promise<boolean> {
    try {
      await this.sequelize.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  /** Runs pending migrations; `skip` leaves the named ones pending (tests of a migration on older data). */
  async migrate(log?: Logger, opts: { skip?: string[] } = {}): Promise<void> {
    // Write-ahead logging: readers never block the writer; set once, kept by the database file.
    if (this.walFile) await this.sequelize.query("PRAGMA journal_mode=WAL");
    const umzug = new Umzug({
      migrations: {
        glob: ["migrations/*.{ts,js}", { cwd: __dirname, ignore: ["**/*.d.ts"] }],
        resolve: ({ name, path: file, context }) => {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const mod = require(file!) as Migration;
          // Recorded under its source name (`0001-core.ts`) whether it runs from src/ (tsx) or compiled
          // (dist/migrations/0001-core.js): a database migrated by either is up to date for the other.
          return { name: name.replace(/\.js$/, ".ts"), up: () => mod.up(context), down: () => mod.down(context) };
        },
      },
      context: this.sequelize.getQueryInterface(),
      storage: new SequelizeStorage({ sequelize: this.sequelize, tableName: "schema_migrations" }),
      logger: undefined,
    });
    const skip = new Set(opts.skip ?? []);
    const done = skip.size
      ? await umzug.up({ migrations: (await umzug.pending()).map((m) => m.name).filter((n) => !skip.has(n)) })
      : await umzug.up();
    if (done.length) log?.info({ migrations: done.map((m) => m.name) }, "database migrated");
  }

  async close(): Promise<void> {
    await this.sequelize.close();
  }
}

export interface Migration {
  up(q: ReturnType<Sequelize["getQueryInterface"]>): Promise<void>;
  down(q: ReturnType<Sequelize["getQueryInterface"]>): Promise<void>;
}
