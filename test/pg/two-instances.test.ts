import assert from "node:assert/strict";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { pushPayload, registerEchoHandler } from "../helpers/echo-handler";
import { startChildApp } from "../helpers/child";
import { Op } from "sequelize";
import { Job } from "../../src/models";

/** Two app instances on one PostgreSQL database share the queue and never process a job twice. */
describe("PostgreSQL: two app instances, one queue", function () {
  this.timeout(900_000); // a generous bound: two child processes on a loaded machine
  before(function () {
    if (!process.env.TEST_DATABASE_URL) this.skip(); // this suite runs in CI's PostgreSQL step (npm run test:pg)
  });

  it("claims with SKIP LOCKED: every job runs once, across two processes", async () => {
    const h = await Harness.start({ env: { WORKER_ENABLED: "false" }, integrations: [], registerHandlers: (r) => registerEchoHandler(r, { key: (hash) => `k-${hash.slice(-12)}` }) });
    const N = 300;
    for (let i = 0; i < N; i++) {
      const payload = pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName }), `d${i.toString(16).padStart(39, "0")}`);
      await h.webhook("repo:push", payload);
    }
    const db = h.services.config.database;
    assert.equal(db.kind, "postgres");
    const env = {
      ENCRYPTION_KEY: "a".repeat(64),
      DATA_DIR: h.services.config.dataDir,
      DATABASE_URL: db.kind === "postgres" ? db.url : "",
      WORKER_CONCURRENCY: "8",
      WORKER_POLL_MS: "20",
      CONNECT_ALLOWED_HOSTS: "127.0.0.1",
      ECHO_DELAY_MS: "5",
    };
    const [a, b] = await Promise.all([startChildApp(env), startChildApp(env)]);
    try {
      await waitFor(async () => (await Job.count({ where: { status: "done" } })) === N, "all done");
      const posts = h.fake.callsTo("POST", /statuses\/build$/);
      assert.equal(posts.length, N, "each job's side effect happened exactly once");
      assert.equal(new Set(posts.map((c) => (c.body as { key: string }).key)).size, N);
      const jobs = await Job.findAll();
      assert.ok(jobs.every((j) => j.attempts === 1), "no job was claimed twice");
    } finally {
      a.proc.kill("SIGKILL");
      b.proc.kill("SIGKILL");
      await h.close();
    }
  });

  it("moves a killed instance's jobs to the live one within the default lease (heartbeats keep the live one's)", async () => {
    const h = await Harness.start({ env: { WORKER_ENABLED: "false" }, integrations: [], registerHandlers: (r) => registerEchoHandler(r, { key: (hash) => `k-${hash.slice(-12)}` }) });
    const db = h.services.config.database;
    // No WORKER_LEASE_MS: the default lease is what is measured.
    const env = {
      ENCRYPTION_KEY: "a".repeat(64),
      DATA_DIR: h.services.config.dataDir,
      DATABASE_URL: db.kind === "postgres" ? db.url : "",
      WORKER_CONCURRENCY: "4",
      WORKER_POLL_MS: "20",
      CONNECT_ALLOWED_HOSTS: "127.0.0.1",
      ECHO_DELAY_MS: "100",
    };
    const posted = () => h.fake.callsTo("POST", /statuses\/build$/);
    const [a, b] = await Promise.all([startChildApp(env), startChildApp(env)]);
    try {
      // Both instances are up before the work arrives, so both take part.
      const N = 200;
      for (let i = 0; i < N; i++) {
        const payload = pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName }), `e${i.toString(16).padStart(39, "0")}`);
        await h.webhook("repo:push", payload);
      }
      await waitFor(async () => (await Job.count({ where: { lockedBy: a.workerId, status: "running" } })) > 0, "instance A running jobs");
      a.proc.kill("SIGKILL");
      if (a.proc.exitCode === null && a.proc.signalCode === null) await new Promise((r) => a.proc.once("exit", r));
      const diedAt = Date.now();
      const orphaned = (await Job.findAll({ where: { status: "running", lockedBy: a.workerId } })).map((j) => ({ id: j.id, attempts: j.attempts, lockedUntil: Number(j.lockedUntil) }));
      assert.ok(orphaned.length > 0, "A died holding jobs");

      await waitFor(async () => (await Job.count({ where: { status: "done" } })) === N, "all done");
      const lastStatusAt = Math.max(...posted().map((c) => c.at));
      console.log(`      instance death → last status: ${lastStatusAt - diedAt} ms (${orphaned.length} jobs were held by the dead instance)`);
      assert.equal(new Set(posted().map((c) => (c.body as { key: string }).key)).size, N, "every event reported");
      for (const o of orphaned) {
        const job = (await Job.findByPk(o.id))!;
        assert.equal(job.status, "done");
        assert.equal(job.attempts, o.attempts + 1, "taken up once more, by the live instance (the only one left)");
        assert.ok(Number(job.finishedAt) >= o.lockedUntil, "after the dead instance's lease ran out (PostgreSQL cannot know it died sooner)");
        assert.ok(o.lockedUntil - diedAt <= 15_000, "the dead instance's lease ran out within 15 s of its death");
      }
      const others = await Job.findAll({ where: { id: { [Op.notIn]: orphaned.map((o) => o.id) } } });
      assert.ok(others.every((j) => j.attempts === 1), "no live claim was taken over: heartbeats kept the live instance's leases");
    } finally {
      a.proc.kill("SIGKILL");
      b.proc.kill("SIGKILL");
      await h.close();
    }
  });

  it("hands concurrent claims disjoint jobs", async () => {
    const h = await Harness.start({ env: { WORKER_ENABLED: "false" }, integrations: [], registerHandlers: (r) => registerEchoHandler(r, { key: (hash) => `k-${hash.slice(-12)}` }) });
    try {
      await h.services.queue.enqueue(
        Array.from({ length: 100 }, (_, i) => ({ installationId: h.tenant.installation.id, handler: "x", integration: "core", payload: { i }, maxAttempts: 3 })),
      );
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => h.services.queue.claim(`w${i}`, 20, 60_000)));
      const ids = claims.flat().map((j) => j.id);
      assert.equal(ids.length, 100);
      assert.equal(new Set(ids).size, 100);
    } finally {
      await h.close();
    }
  });
});
