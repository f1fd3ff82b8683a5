import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { Database } from "../../src/db/database";
import { storedDeliveriesQuery } from "../../src/pipeline/ingest";

/**
 * Ingest's duplicate and replay lookup (once per group commit) must be index searches on every
 * column of its two indexes: searching by installation alone reads every delivery of the
 * installation each time (it did: the statement named no source). Checked with SQLite's own plan.
 */
describe("Ingest: the duplicate/replay lookup is an index search", () => {
  let db: Database;
  before(async () => {
    db = Database.open({ kind: "sqlite", file: ":memory:" });
    await db.migrate();
  });
  after(() => db.close());

  const planOf = async (keys: Parameters<typeof storedDeliveriesQuery>[0]) => {
    const { sql, bind } = storedDeliveriesQuery(keys);
    const rows = await db.sequelize.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, { bind, type: QueryTypes.SELECT });
    return rows.map((r) => r.detail);
  };

  it("by delivery id: installation, source and idempotency key", async () => {
    const plan = await planOf([
      { installationId: "i1", source: "bitbucket", idempotencyKey: "k1" },
      { installationId: "i1", source: "forge", idempotencyKey: "k2" },
    ]);
    assert.ok(plan.some((d) => /deliveries_idempotency \(installation_id=\? AND source=\? AND idempotency_key=\?\)/.test(d)), plan.join("; "));
    assert.ok(!plan.some((d) => /^SCAN /.test(d)), plan.join("; "));
  });

  it("with tokens: each branch on its own index, no search by installation alone", async () => {
    const plan = await planOf([{ installationId: "i1", source: "bitbucket", idempotencyKey: "k1", tokenHash: "h1" }]);
    assert.ok(plan.some((d) => /deliveries_idempotency \(installation_id=\? AND source=\? AND idempotency_key=\?\)/.test(d)), plan.join("; "));
    assert.ok(plan.some((d) => /deliveries_token_hash \(installation_id=\? AND token_hash=\?\)/.test(d)), plan.join("; "));
    assert.ok(!plan.some((d) => /^SCAN |\(installation_id=\?\)$/.test(d)), plan.join("; "));
  });
});
