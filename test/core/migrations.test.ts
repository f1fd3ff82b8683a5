import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { QueryTypes } from "sequelize";
import { Database } from "../../src/db/database";
import { migrationFiles } from "../../src/db/migration-files";
import { createLogger } from "../../src/config/logger";

/**
 * Database.migrate: every migration file runs once, in name order, recorded in schema_migrations;
 * a start-up on a current schema runs none (decided by one query, without loading umzug); a
 * migration that is not recorded (a new release, or one taken back) runs at the next start-up.
 */
describe("Database migrations", () => {
  let dir: string;
  let db: Database;
  let lines: string[];
  const log = () =>
    createLogger(
      "info",
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
  const recorded = async () => ((await db.sequelize.query("SELECT name FROM schema_migrations ORDER BY name"))[0] as Array<{ name: string }>).map((r) => r.name);
  const migratedNames = () => lines.map((l) => JSON.parse(l) as { msg: string; migrations?: string[] }).filter((l) => l.msg === "database migrated").flatMap((l) => l.migrations ?? []);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-migrations-"));
    db = Database.open({ kind: "sqlite", file: path.join(dir, "relay.sqlite") });
    lines = [];
  });
  afterEach(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs every migration on an empty database, in name order, and records each", async () => {
    const names = migrationFiles().map((f) => f.name);
    assert.ok(names.length >= 8 && names.every((n, i) => i === 0 || names[i - 1]! < n), `sorted: ${names.join(", ")}`);
    await db.migrate(log());
    assert.deepEqual(migratedNames(), names);
    assert.deepEqual(await recorded(), names);
  });

  it("runs nothing when every migration is recorded", async () => {
    await db.migrate(log());
    lines = [];
    await db.migrate(log());
    assert.deepEqual(migratedNames(), []);
    assert.deepEqual(await recorded(), migrationFiles().map((f) => f.name));
  });

  it("runs a migration that is not recorded, and only that one", async () => {
    await db.migrate();
    const tablesBefore = ((await db.sequelize.getQueryInterface().showAllTables()) as string[]).sort();
    const last = migrationFiles().at(-1)!;
    await last.load().down(db.sequelize.getQueryInterface());
    await db.sequelize.query("DELETE FROM schema_migrations WHERE name = ?", { replacements: [last.name] });
    await db.migrate(log());
    assert.deepEqual(migratedNames(), [last.name]);
    assert.deepEqual(await recorded(), migrationFiles().map((f) => f.name));
    // Its schema is back.
    assert.deepEqual(((await db.sequelize.getQueryInterface().showAllTables()) as string[]).sort(), tablesBefore);
  });

  it("a migration that fails half-way leaves the schema and its record as they were, and runs whole at the next start-up", async () => {
    await db.migrate();
    const last = migrationFiles().at(-1)!;
    assert.equal(last.name, "0800-review-insights.ts", "this test breaks 0800 half-way: after its first table, at its first index");
    await last.load().down(db.sequelize.getQueryInterface());
    await db.sequelize.query("DELETE FROM schema_migrations WHERE name = ?", { replacements: [last.name] });
    const tablesBefore = ((await db.sequelize.getQueryInterface().showAllTables()) as string[]).sort();
    // An index of the name 0800 gives its first index already exists (on another table): 0800 fails there.
    await db.sequelize.query("CREATE INDEX review_insights_prs_state ON deliveries (received_at)");
    await assert.rejects(db.migrate(log()), /review_insights_prs_state/);
    assert.deepEqual(((await db.sequelize.getQueryInterface().showAllTables()) as string[]).sort(), tablesBefore, "the tables 0800 made before failing are gone");
    assert.ok(!(await recorded()).includes(last.name));
    assert.deepEqual(await db.sequelize.query("PRAGMA foreign_keys", { type: QueryTypes.SELECT }), [{ foreign_keys: 1 }], "foreign keys are on again");
    await db.sequelize.query("DROP INDEX review_insights_prs_state");
    await db.migrate(log());
    assert.deepEqual(await recorded(), migrationFiles().map((f) => f.name));
  });
});
