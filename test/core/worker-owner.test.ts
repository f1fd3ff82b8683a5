import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { pushPayload, registerEchoHandler } from "../helpers/echo-handler";
import { Job } from "../../src/models";
import { Worker } from "../../src/pipeline/worker";
import { acquireWorkerLock, SQLITE_OWNER_PREFIX } from "../../src/pipeline/sqlite-owner";
import { loadConfig } from "../../src/config/config";
import { startChildApp } from "../helpers/child";

const sha = (n: number) => n.toString(16).padStart(40, "e");

/**
 * Issue 15.9: on SQLite one process owns the file and, restarted, takes up its predecessor's running
 * jobs at once; two workers on one file never both think they own it. On PostgreSQL the default
 * lease is short (heartbeats keep long jobs), so a dead instance's jobs move on quickly.
 */
describe("Worker ownership of a SQLite file", function () {
  before(function () {
    if (process.env.TEST_DATABASE_URL) this.skip(); // SQLite only
  });

  it("the worker lock is exclusive in a process, and free again once released", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-owner-"));
    const file = path.join(dir, "relay.sqlite");
    const first = await acquireWorkerLock(file);
    assert.ok(first, "the first worker owns the file");
    assert.equal(await acquireWorkerLock(file), null, "a second one does not");
    await first.release();
    const next = await acquireWorkerLock(file);
    assert.ok(next, "free again after release");
    await next.release();
  });

  it("a process killed with SIGKILL leaves the lock free at once; while it lives, nobody else owns the file", async function () {
    this.timeout(600_000); // a generous bound: a child process starts slowly on a loaded machine
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-owner-"));
    const file = path.join(dir, "relay.sqlite");
    const child = await startChildApp({ ENCRYPTION_KEY: "a".repeat(64), DATA_DIR: dir, SQLITE_FILE: file, CONNECT_ALLOWED_HOSTS: "127.0.0.1" });
    try {
      // The child says it listens once its worker has settled its ownership.
      assert.ok(child.workerId.startsWith(SQLITE_OWNER_PREFIX), child.workerId);
      assert.equal(await acquireWorkerLock(file), null, "nobody else owns the file while the child lives");
    } finally {
      child.proc.kill("SIGKILL");
    }
    if (child.proc.exitCode === null && child.proc.signalCode === null) await new Promise((r) => child.proc.once("exit", r));
    const mine = await acquireWorkerLock(file);
    assert.ok(mine, "free as soon as the owner is dead");
    await mine.release();
  });

  it("a second worker on the same file runs without ownership and leaves the owner's running jobs alone", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const h = await Harness.start({
      integrations: [],
      registerHandlers: (r) =>
        r.on("repo:push", { name: "test.slow", integration: "core" }, async () => {
          await gate;
          return { done: {} };
        }),
    });
    const guest = new Worker(h.services, { concurrency: 1, pollMs: 20, leaseMs: 60_000 });
    try {
      const owner = h.relay.worker!;
      await owner.ready;
      assert.equal(owner.owner, true);
      assert.ok(owner.id.startsWith(SQLITE_OWNER_PREFIX));
      await h.webhook("repo:push", pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName }), sha(1)));
      const running = await waitFor(async () => (await Job.findOne({ where: { status: "running" } })) ?? false, "the job running");
      guest.start();
      await guest.ready;
      assert.equal(guest.owner, false, "the file has an owner already");
      assert.ok(!guest.id.startsWith(SQLITE_OWNER_PREFIX));
      const still = (await Job.findByPk(running.id))!;
      assert.equal(still.lockedBy, owner.id);
      assert.equal(still.attempts, 1);
      // Only its owner's heartbeats move the lease (forward): the guest neither took nor shortened it.
      assert.ok(Number(still.lockedUntil) >= Number(running.lockedUntil), "its lease kept by its owner");
    } finally {
      open();
      await guest.stop();
      await h.close();
    }
  });

  it("a starting owner takes up the jobs a dead owner was running at once, and leaves a guest's to their lease", async () => {
    const h = await Harness.start({ integrations: [], env: { WORKER_ENABLED: "false" }, registerHandlers: (r) => registerEchoHandler(r) });
    const worker = new Worker(h.services, { concurrency: 2, pollMs: 20, leaseMs: 60_000 });
    try {
      const base = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName });
      await h.webhook("repo:push", pushPayload(base, sha(1)));
      await h.webhook("repo:push", pushPayload(base, sha(2)));
      const [a, b] = await Job.findAll({ order: [["createdAt", "ASC"], ["id", "ASC"]] });
      const until = Date.now() + 3_600_000;
      // As a process killed mid-job leaves them: one claimed by a previous owner, one by a guest worker.
      await Job.update({ status: "running", lockedBy: `${SQLITE_OWNER_PREFIX}dead`, lockedUntil: until, attempts: 1 }, { where: { id: a!.id } });
      await Job.update({ status: "running", lockedBy: "worker-guest", lockedUntil: until, attempts: 1 }, { where: { id: b!.id } });

      worker.start();
      await worker.ready;
      assert.equal(worker.owner, true);
      const done = await waitFor(async () => {
        const j = await Job.findByPk(a!.id);
        return j?.status === "done" ? j : false;
      }, "the dead owner's job done");
      assert.equal(done.attempts, 2);
      assert.ok(Number(done.finishedAt) < until, "taken up without waiting for the lease");
      const guestJob = (await Job.findByPk(b!.id))!;
      assert.equal(guestJob.status, "running", "a guest may still be alive: its job waits for its lease");
      assert.equal(guestJob.lockedBy, "worker-guest");
    } finally {
      await worker.stop();
      await h.close();
    }
  });
});

describe("Leases", () => {
  it("last at most 15 s by default", () => {
    const config = loadConfig({ NODE_ENV: "test", ENCRYPTION_KEY: "a".repeat(64), DATA_DIR: os.tmpdir() });
    assert.ok(config.worker.leaseMs <= 15_000, `default lease ${config.worker.leaseMs} ms`);
  });

  it("are renewed while a job runs, so a job longer than the lease is never claimed twice", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const h = await Harness.start({
      integrations: [],
      env: { WORKER_LEASE_MS: "1500" },
      registerHandlers: (r) =>
        r.on("repo:push", { name: "test.slow", integration: "core" }, async () => {
          await gate;
          return { done: {} };
        }),
    });
    try {
      await h.webhook("repo:push", pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName }), sha(3)));
      const first = await waitFor(async () => (await Job.findOne({ where: { status: "running" } })) ?? false, "the job running");
      // Renewed (every third of the lease) past the end of its first lease, and still held.
      await waitFor(async () => Number((await Job.findByPk(first.id))!.lockedUntil) >= Number(first.lockedUntil) + 1500, "renewals past the first lease");
      assert.deepEqual(await h.services.queue.claim("another-instance", 10, 1500), [], "nobody else may claim it");
      const job = (await Job.findByPk(first.id))!;
      assert.equal(job.attempts, 1);
      assert.equal(job.lockedBy, h.relay.worker!.id);
    } finally {
      open();
      await h.close();
    }
  });
});
