import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { QueryTypes } from "sequelize";
import { Database } from "../../src/db/database";
import { initCoreModels } from "../../src/models";
import { claimStatement, JobQueue } from "../../src/pipeline/queue";
import { InstallationService } from "../../src/core/installations";
import { SecretBox } from "../../src/crypto/secrets";

const CLAIM = ["status = 'queued' AND run_at <= :now", "status = 'retrying' AND run_at <= :now", "status = 'running' AND locked_until < :now"];

/**
 * Claiming on SQLite reads only the jobs it may take: each status's oldest `limit` through the
 * (status, run_at) index, in order. As one OR'ed condition, SQLite read every due job and sorted
 * them all for each claim (a cost that grew with the queue's depth). Checked with SQLite's own plan,
 * and the claim still takes the oldest due jobs across statuses, expired leases included.
 */
describe("Queue: the claiming statement on SQLite", () => {
  let db: Database;
  beforeEach(async () => {
    db = Database.open({ kind: "sqlite", file: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "relay-claim-")), "relay.sqlite") });
    initCoreModels(db.sequelize);
    await db.migrate();
  });
  afterEach(() => db.close());

  it("searches each status through jobs_claim in run_at order: no OR over indexes, one sort of the few picked", async () => {
    const sql = claimStatement("sqlite", CLAIM);
    const pick = sql.slice(sql.indexOf("IN (") + 4, sql.lastIndexOf(")"));
    const plan = (
      await db.sequelize.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${pick}`, { replacements: { now: 5, limit: 4 }, type: QueryTypes.SELECT })
    ).map((r) => r.detail);
    assert.equal(plan.filter((d) => /SEARCH jobs USING INDEX jobs_claim \(status=\? AND run_at<\?\)/.test(d)).length, 2, plan.join("; "));
    assert.ok(!plan.some((d) => /MULTI-INDEX OR|SCAN jobs/.test(d)), plan.join("; "));
    assert.equal(plan.filter((d) => /TEMP B-TREE/.test(d)).length, 1, plan.join("; "));
  });

  it("takes the oldest due jobs across queued, retrying and expired leases; not future or leased ones", async () => {
    const queue = new JobQueue(db);
    const now = 1_000_000;
    const { id: installationId } = await new InstallationService(db, SecretBox.fromKeyMaterial("a".repeat(64))).install({
      host: "connect",
      clientKey: "claim-test",
      appKey: "relay",
      credentialKind: "connect-jwt",
      workspace: { uuid: "{ws}" },
      baseUrl: "https://bitbucket.org",
      baseApiUrl: "https://api.bitbucket.org",
      secrets: {},
    });
    const rows = [
      { status: "queued", runAt: now - 50 },
      { status: "retrying", runAt: now - 40 },
      { status: "running", runAt: now - 30, lockedUntil: now - 1 }, // lease ran out
      { status: "queued", runAt: now - 20 },
      { status: "running", runAt: now - 60, lockedUntil: now + 60_000 }, // still leased
      { status: "queued", runAt: now + 1000 }, // not yet due
      { status: "done", runAt: now - 100 },
    ].map((r, i) => ({ ...r, handler: `core.j${i}` }));
    await queue.enqueue(rows.map((r) => ({ installationId, handler: r.handler, integration: "core", maxAttempts: 3, runAt: r.runAt })));
    for (const r of rows) {
      await db.sequelize.query(`UPDATE jobs SET status = :status, locked_by = :lockedBy, locked_until = :lockedUntil WHERE handler = :handler`, {
        replacements: { ...r, lockedBy: r.lockedUntil === undefined ? null : "someone", lockedUntil: r.lockedUntil ?? null },
      });
    }
    const first = await queue.claim("w1", 3, 30_000, now);
    assert.deepEqual(first.map((j) => j.handler), ["core.j0", "core.j1", "core.j2"]);
    assert.ok(first.every((j) => j.status === "running" && j.lockedBy === "w1"));
    const second = await queue.claim("w1", 3, 30_000, now);
    assert.deepEqual(second.map((j) => j.handler), ["core.j3"]);
  });
});
