import assert from "node:assert/strict";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { registerEchoHandler, pushPayload } from "../helpers/echo-handler";
import { Job, OutboundCallRecord } from "../../src/models";

const SHA = "1111111111111111111111111111111111111111";

describe("Durable pipeline: retries, Retry-After, dead letters, replay", () => {
  let h: Harness;
  let push: Record<string, unknown>;
  beforeEach(async () => {
    h = await Harness.start({ integrations: [], registerHandlers: (r) => registerEchoHandler(r) });
    push = pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName }), SHA);
  });
  afterEach(() => h.close());

  it("retries a Bitbucket 503 and succeeds", async () => {
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 503, times: 4 });
    assert.equal((await h.webhook("repo:push", push)).status, 204);
    const job = await waitFor(async () => Job.findOne({ where: { status: "done" } }), "job done");
    assert.ok(job.attempts >= 2, `attempts ${job.attempts}`);
    const statuses = h.fake.callsTo("POST", /statuses\/build$/).map((c) => c.status);
    assert.deepEqual(statuses.slice(-1), [201]);
    assert.ok(statuses.filter((s) => s === 503).length === 4);
    const recorded = await OutboundCallRecord.findAll({ where: { jobId: job.id } });
    assert.ok(recorded.some((c) => c.status === 503) && recorded.some((c) => c.status === 201), "outbound calls are logged per job");
  });

  it("honours Retry-After on 429 before calling again", async () => {
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 429, times: 1, retryAfter: 1 });
    await h.webhook("repo:push", push);
    await waitFor(async () => Job.findOne({ where: { status: "done" } }), "job done");
    const calls = h.fake.callsTo("POST", /statuses\/build$/);
    assert.equal(calls[0]!.status, 429);
    assert.equal(calls[1]!.status, 201);
    const waited = calls[1]!.at - calls[0]!.at;
    assert.ok(waited >= 950, `waited only ${waited} ms`);
  });

  it("ends dead after the last attempt, keeps the error, and a replay succeeds", async () => {
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 503, times: 12 }); // 4 attempts (JOB_MAX_ATTEMPTS) × 3 calls (2 inline retries)
    await h.webhook("repo:push", push);
    const dead = await waitFor(async () => Job.findOne({ where: { status: "dead" } }), "job dead");
    assert.equal(dead.attempts, 4);
    assert.match(dead.lastError ?? "", /503/);
    const replay = await h.services.queue.replay(dead.id, h.tenant.installation.id);
    assert.ok(replay);
    const done = await waitFor(async () => Job.findOne({ where: { replayOf: dead.id, status: "done" } }), "replay done");
    assert.equal(done.deliveryId, dead.deliveryId);
    assert.equal((await Job.findByPk(dead.id))?.status, "dead", "the dead job stays as history");
  });

  it("ends dead at once on a 4xx that no retry can fix", async () => {
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 403, times: 1 });
    await h.webhook("repo:push", push);
    const dead = await waitFor(async () => Job.findOne({ where: { status: "dead" } }), "job dead");
    assert.equal(dead.attempts, 1);
    assert.match(dead.lastError ?? "", /403/);
  });

  it("refuses to replay another installation's job", async () => {
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 403, times: 1 });
    await h.webhook("repo:push", push);
    const dead = await waitFor(async () => Job.findOne({ where: { status: "dead" } }), "job dead");
    const other = await h.install({ workspace: { uuid: "{other-ws}", slug: "other" }, repo: false });
    assert.equal(await h.services.queue.replay(dead.id, other.installation.id), null);
  });
});
