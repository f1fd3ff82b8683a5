import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { Database } from "../../src/db/database";
import { freshPostgresUrl } from "../helpers/pg";

async function tables(db: Database): Promise<string[]> {
  const rows = await db.sequelize.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", { type: QueryTypes.SELECT });
  return rows.map((r) => r.tablename);
}

/** Migrations at start-up on PostgreSQL: serialized across instances, all or nothing (docs/operations.md#upgrades). */
describe("PostgreSQL: migrations when several instances start", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  before(function () {
    if (!process.env.TEST_DATABASE_URL) this.skip(); // runs under npm run test:pg
  });
  const open: Database[] = [];
  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
  });

  it("three instances migrating one empty database at once all start; each migration is recorded once", async () => {
    const url = (await freshPostgresUrl())!;
    const dbs = [0, 1, 2].map(() => Database.open({ kind: "postgres", url }));
    open.push(...dbs);
    await Promise.all(dbs.map((db) => db.migrate()));
    const recorded = await dbs[0]!.sequelize.query<{ name: string }>("SELECT name FROM schema_migrations", { type: QueryTypes.SELECT });
    const names = recorded.map((r) => r.name);
    assert.ok(names.includes("0001-core.ts") && names.length > 5, names.join(","));
    assert.equal(new Set(names).size, names.length, "no migration recorded twice");
  });

  it("a run that fails half-way leaves the schema as it was (no change without its record)", async () => {
    const url = (await freshPostgresUrl())!;
    const db = Database.open({ kind: "postgres", url });
    open.push(db);
    // A table a later migration (0100) creates is already there: that migration fails after 0001/0002 ran.
    await db.sequelize.query("CREATE TABLE buildkite_reported_statuses (id INT)");
    await assert.rejects(db.migrate(), /0100-buildkite-reported-statuses/);
    assert.deepEqual(await tables(db), ["buildkite_reported_statuses"], "0001's tables and the migration record were rolled back");
    await db.sequelize.query("DROP TABLE buildkite_reported_statuses");
    await db.migrate();
    assert.ok((await tables(db)).includes("installations"), "the next start migrates from the beginning");
  });
});
