import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Harness } from "../helpers/harness";
import { waitFor } from "../helpers/fixtures";
import { Delivery, Job, OutboundCallRecord } from "../../src/models";
import type { JobStatus } from "../../src/models/job";
import { pruneActivity, startRetentionSchedule } from "../../src/pipeline/retention";
import { recordReplay } from "../../src/web/api/replay-log";
import { linkDelivery } from "../../src/pipeline/delivery-links";

const DAY = 24 * 60 * 60 * 1000;

describe("Activity retention", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ integrations: [], env: { WORKER_ENABLED: "false" } });
  });
  afterEach(() => h.close());

  async function delivery(ageDays: number): Promise<string> {
    const id = randomUUID();
    await Delivery.create({
      id,
      installationId: h.tenant.installation.id,
      source: "bitbucket",
      eventKey: "repo:push",
      idempotencyKey: id,
      repositoryUuid: h.repo.uuid,
      repositoryFullName: h.repo.fullName,
      payload: "{}",
      receivedAt: Date.now() - ageDays * DAY,
    });
    return id;
  }

  async function job(deliveryId: string | null, status: JobStatus, ageDays: number): Promise<string> {
    const id = randomUUID();
    const at = Date.now() - ageDays * DAY;
    await Job.create({
      id,
      installationId: h.tenant.installation.id,
      deliveryId,
      repositoryUuid: h.repo.uuid,
      handler: "core.echo",
      integration: "core",
      payload: null,
      dedupeKey: null,
      status,
      maxAttempts: 4,
      runAt: at,
      lockedBy: null,
      lockedUntil: null,
      lastError: status === "dead" ? "boom" : null,
      result: null,
      replayOf: null,
      createdAt: at,
      updatedAt: at,
      finishedAt: ["done", "ignored", "dead"].includes(status) ? at : null,
    });
    await OutboundCallRecord.create({ jobId: id, attempt: 1, target: "bitbucket", method: "POST", url: "http://x/", status: 201, durationMs: 3, error: null, createdAt: at });
    return id;
  }

  it("prunes finished jobs, their calls and replay records, and deliveries older than the retention period", async () => {
    assert.equal(h.services.config.activityRetentionDays, 30, "default retention is 30 days");
    const oldDelivery = await delivery(40);
    const oldDone = await job(oldDelivery, "done", 40);
    const oldDead = await job(oldDelivery, "dead", 40);
    await recordReplay(h.services, h.tenant.installation.id, { jobId: oldDead, replayOf: oldDone, actor: "someone", at: Date.now() - 40 * DAY });
    const waitingDelivery = await delivery(40);
    const waiting = await job(waitingDelivery, "retrying", 40);
    const recentDelivery = await delivery(5);
    const recent = await job(recentDelivery, "done", 5);
    const orphanOld = await job(null, "ignored", 31);
    const other = "{99999999-8888-4777-8666-555555555555}";
    await linkDelivery(h.services.db, { installationId: h.tenant.installation.id, deliveryId: oldDelivery, repositoryUuid: other });
    await linkDelivery(h.services.db, { installationId: h.tenant.installation.id, deliveryId: recentDelivery, repositoryUuid: other });

    const result = await pruneActivity(h.services);
    assert.equal(result.jobs, 3);
    assert.equal(result.deliveries, 1);
    assert.equal(result.calls, 3);
    assert.equal(await Job.findByPk(oldDone), null);
    assert.equal(await Job.findByPk(oldDead), null);
    assert.equal(await Job.findByPk(orphanOld), null);
    assert.equal(await Delivery.findByPk(oldDelivery), null);
    assert.ok(await Job.findByPk(waiting), "waiting work is never pruned");
    assert.ok(await Delivery.findByPk(waitingDelivery), "nor the delivery it belongs to");
    assert.ok(await Job.findByPk(recent));
    assert.ok(await Delivery.findByPk(recentDelivery));
    assert.equal(await OutboundCallRecord.count(), 2);
    const [replays] = await h.services.db.sequelize.query("SELECT job_id FROM job_replays");
    assert.equal((replays as unknown[]).length, 0);
    const [links] = await h.services.db.sequelize.query("SELECT delivery_id FROM delivery_repositories");
    assert.deepEqual(links, [{ delivery_id: recentDelivery }], "a pruned delivery's repository links go with it");
    // Running it again finds nothing more.
    assert.deepEqual({ ...(await pruneActivity(h.services)), cutoff: 0 }, { cutoff: 0, jobs: 0, deliveries: 0, calls: 0 });
  });

  it("honours a shorter retention and runs on its schedule", async () => {
    const d = await delivery(3);
    await job(d, "done", 3);
    h.services.config.activityRetentionDays = 2;
    const schedule = startRetentionSchedule(h.services, 50, 0);
    try {
      await waitFor(async () => (await Delivery.findByPk(d)) === null, "scheduled prune");
    } finally {
      await schedule.stop();
    }
    assert.equal(await Job.count(), 0);
  });
});
