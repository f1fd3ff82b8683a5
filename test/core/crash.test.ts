import assert from "node:assert/strict";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { pushPayload, registerEchoHandler } from "../helpers/echo-handler";
import { startChildApp } from "../helpers/child";
import { Job } from "../../src/models";

/**
 * SIGKILL mid-queue: 200 stored events, the worker process killed while it works through them,
 * a new process started on the same database: every event is processed, none lost. On SQLite the
 * restarted process owns the file (sqlite-owner.ts) and takes up the jobs that were running at the
 * kill at once, not after their lease (issue 15.9).
 */
describe("Crash safety: a worker killed with SIGKILL loses nothing", function () {
  this.timeout(1_200_000); // a generous bound: two child processes and 200 jobs on a loaded machine (issue 14)

  it("processes every stored event after a restart", async () => {
    // Store the events with this process's app (worker off), then hand the database to child processes.
    const h = await Harness.start({ env: { WORKER_ENABLED: "false" }, integrations: [], registerHandlers: (r) => registerEchoHandler(r, { key: (hash) => `k-${hash.slice(-12)}` }) });
    const N = 200;
    const hashes: string[] = [];
    for (let i = 0; i < N; i++) {
      const hash = `c${i.toString(16).padStart(39, "0")}`;
      hashes.push(hash);
      const payload = pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName }), hash);
      assert.equal((await h.webhook("repo:push", payload)).status, 204);
    }
    const db = h.services.config.database;
    const sqlite = db.kind === "sqlite";
    const env: Record<string, string> = {
      ENCRYPTION_KEY: "a".repeat(64),
      DATA_DIR: h.services.config.dataDir,
      // SQLite: a lease far longer than the test, so that finishing the dead process's jobs at all
      // proves they were taken up without waiting for it. PostgreSQL takes them up after the lease.
      WORKER_LEASE_MS: sqlite ? "86400000" : "1000",
      WORKER_POLL_MS: "50",
      RETRY_BASE_MS: "20",
      CONNECT_ALLOWED_HOSTS: "127.0.0.1",
      ECHO_DELAY_MS: "15",
      ...(db.kind === "postgres" ? { DATABASE_URL: db.url } : { SQLITE_FILE: db.file }),
    };
    // Bitbucket answers the first 40 status calls, then holds the next ones until the kill: the kill
    // lands mid-queue however fast the first process runs.
    h.fake.inject({ method: "POST", path: /statuses\/build$/, latencyMs: 0, times: 40 });
    h.fake.inject({ method: "POST", path: /statuses\/build$/, latencyMs: 120_000, times: N });
    const first = await startChildApp(env);
    try {
      await waitFor(() => h.fake.callsTo("POST", /statuses\/build$/).length > 40, "40 statuses and a held one before the kill");
    } finally {
      first.proc.kill("SIGKILL");
    }
    if (first.proc.exitCode === null && first.proc.signalCode === null) await new Promise((r) => first.proc.once("exit", r));
    h.fake.clearInjections();
    const beforeRestart = new Set(h.fake.callsTo("POST", /statuses\/build$/).map((c) => (c.body as { key: string }).key)).size;
    assert.ok(beforeRestart < N, "the kill happened mid-queue");
    // The jobs the dead process was running, with the time their lease would run out.
    const orphaned = (await Job.findAll({ where: { status: "running" } })).map((j) => ({ id: j.id, lockedUntil: Number(j.lockedUntil), attempts: j.attempts }));

    const restartedAt = Date.now();
    const second = await startChildApp(env);
    const listeningAt = Date.now();
    try {
      await waitFor(() => new Set(h.fake.callsTo("POST", /statuses\/build$/).map((c) => (c.body as { key: string }).key)).size === N, "all statuses").catch(async (e) => {
        const rows = await Job.findAll();
        const by: Record<string, number> = {};
        for (const j of rows) by[j.status] = (by[j.status] ?? 0) + 1;
        const posts = h.fake.callsTo("POST", /statuses\/build$/);
        console.log(by, posts.length, new Set(posts.map((c) => (c.body as { key: string }).key)).size, posts.slice(-2).map((c) => [c.status, c.body]), rows.filter((j) => j.status !== "done").slice(0, 2).map((j) => j.toJSON()));
        throw e;
      });
      await waitFor(async () => (await Job.count({ where: { status: "done" } })) === N, "all jobs done");
      for (const hash of hashes) assert.equal(h.fake.statuses("acme", "widgets", hash).length, 1, `status for ${hash}`);
      const lastStatusAt = Math.max(...h.fake.callsTo("POST", /statuses\/build$/).map((c) => c.at));
      console.log(
        `      restart → listening: ${listeningAt - restartedAt} ms, → last status: ${lastStatusAt - restartedAt} ms (${orphaned.length} jobs were running at the kill, ${N - beforeRestart} statuses left)`,
      );
      if (sqlite) {
        assert.ok(orphaned.length > 0, "jobs were running when the process was killed");
        for (const o of orphaned) {
          const job = (await Job.findByPk(o.id))!;
          assert.equal(job.status, "done");
          assert.equal(job.attempts, o.attempts + 1, "taken up once more");
          assert.ok(Number(job.finishedAt) < o.lockedUntil, "taken up by the restarted process without waiting for the dead one's lease");
        }
      }
    } finally {
      second.proc.kill("SIGKILL");
      await h.close();
    }
  });
});
