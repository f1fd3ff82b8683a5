import assert from "node:assert/strict";
import { startBed, webhookBody, postWebhook, settle, statusesOf, statusPosts, SHA2, type BuildkiteBed } from "./support";
import { Delivery } from "../../../src/models";

describe("Buildkite via webhooks", () => {
  let bed: BuildkiteBed;
  before(async () => {
    bed = await startBed();
  });
  after(async () => {
    await bed.h.close();
  });

  it("accepts a signed build.running and reports INPROGRESS on the pull request's branch", async () => {
    const res = await postWebhook(bed, webhookBody("webhook-build-running.json"));
    assert.equal(res.status, 202, res.text);
    await settle(bed.h);
    const [status] = statusesOf(bed, SHA2);
    assert.ok(status);
    assert.equal(status.state, "INPROGRESS");
    assert.equal(status.key, "buildkite-widgets");
    assert.equal(status.name, "Buildkite: widgets #42");
    assert.equal(status.url, "https://buildkite.com/acme/widgets/builds/42");
    assert.equal(status.refname, "feature/login");
  });

  it("then build.finished (failed) overwrites it under the same key", async () => {
    assert.equal((await postWebhook(bed, webhookBody("webhook-build-finished.json"))).status, 202);
    await settle(bed.h);
    const statuses = statusesOf(bed, SHA2);
    assert.equal(statuses.length, 1);
    assert.equal(statuses[0]!.state, "FAILED");
  });

  it("accepts the plain X-Buildkite-Token", async () => {
    const body = webhookBody("webhook-build-finished.json", { state: "passed", number: 43 });
    const res = await postWebhook(bed, body, { token: bed.webhookToken });
    assert.equal(res.status, 202);
    await settle(bed.h);
    assert.equal(statusesOf(bed, SHA2)[0]!.state, "SUCCESSFUL");
  });

  it("refuses a bad signature, a tampered body, a stale timestamp, a wrong or missing token with 401, storing nothing", async () => {
    const before = await Delivery.count();
    const body = webhookBody("webhook-build-finished.json", { number: 99 });
    const wrongKey = await postWebhook(bed, body, { sign: { token: "not-the-token" } });
    assert.equal(wrongKey.status, 401);
    assert.deepEqual(wrongKey.json(), { error: "invalid signature" });

    // Signed for one body, sent with another (failed → passed).
    const raw = JSON.stringify(body);
    const signed = await postWebhook(bed, raw, { sign: {} });
    assert.equal(signed.status, 202, "the untampered body passes");
    const ts = Math.floor(Date.now() / 1000);
    const { signBody } = await import("../../../src/integrations/buildkite/webhook-signature");
    const sig = signBody(bed.webhookToken, String(ts), raw);
    const tampered = await bed.h.post(`/inbound/buildkite/webhook/${bed.h.tenant.installation.id}`, raw.replace('"failed"', '"passed"'), {
      "x-buildkite-event": "build.finished",
      "x-buildkite-signature": `timestamp=${ts},signature=${sig}`,
    });
    assert.equal(tampered.status, 401);

    const stale = await postWebhook(bed, body, { sign: { timestamp: Math.floor(Date.now() / 1000) - 301 } });
    assert.equal(stale.status, 401);
    assert.deepEqual(stale.json(), { error: "stale signature timestamp" });
    const future = await postWebhook(bed, body, { sign: { timestamp: Math.floor(Date.now() / 1000) + 600 } });
    assert.equal(future.status, 401);

    assert.equal((await postWebhook(bed, body, { token: "wrong" })).status, 401);
    assert.equal((await postWebhook(bed, body, {})).status, 401);
    const malformedHeader = await bed.h.post(`/inbound/buildkite/webhook/${bed.h.tenant.installation.id}`, body, {
      "x-buildkite-event": "build.finished",
      "x-buildkite-signature": "signature=abc",
    });
    assert.equal(malformedHeader.status, 401);
    assert.equal(await Delivery.count(), before + 1, "only the untampered delivery was stored");
    assert.ok(!JSON.stringify(bed.logs.lines).includes(bed.webhookToken), "the token is never logged");
  });

  it("answers 400 to a malformed body and 200 to ping", async () => {
    const notJson = await bed.h.fetch("POST", `/inbound/buildkite/webhook/${bed.h.tenant.installation.id}`, "{oops", {
      "content-type": "application/json",
      "x-buildkite-event": "build.finished",
      "x-buildkite-token": bed.webhookToken,
    });
    assert.equal(notJson.status, 400);
    const noBuild = await postWebhook(bed, { event: "build.finished", pipeline: { slug: "widgets" } });
    assert.equal(noBuild.status, 400);
    assert.match(noBuild.json<{ error: string }>().error, /build/);
    const ping = await postWebhook(bed, { event: "ping", service: { id: "x" } }, { sign: {} }, "ping");
    assert.equal(ping.status, 200);
    const job = await postWebhook(bed, { event: "job.finished", job: {} }, { sign: {} }, "job.finished");
    assert.equal(job.status, 202);
    assert.match(job.json<{ ignored: string }>().ignored, /job\.finished/);
  });

  it("reports a blocked build (build.finished with blocked: true) as blocked", async () => {
    const commit = "b".repeat(40);
    const body = webhookBody("webhook-build-finished.json", { state: "passed", blocked: true, number: 50, commit });
    assert.equal((await postWebhook(bed, body)).status, 202);
    await settle(bed.h);
    const [status] = statusesOf(bed, commit);
    assert.equal(status!.state, "SUCCESSFUL");
    assert.match(status!.description, /blocked/);
  });

  it("treats a redelivered identical body as a duplicate", async () => {
    const body = webhookBody("webhook-build-finished.json", { state: "canceled", number: 60, commit: "c".repeat(40) });
    const raw = JSON.stringify(body);
    const first = await postWebhook(bed, raw, { token: bed.webhookToken });
    const again = await postWebhook(bed, raw, { token: bed.webhookToken });
    assert.equal(first.json<{ duplicate: boolean }>().duplicate, false);
    assert.equal(again.json<{ duplicate: boolean }>().duplicate, true);
    await settle(bed.h);
    assert.equal(statusPosts(bed).filter((c) => c.path.includes("c".repeat(40))).length, 1);
    assert.equal(statusesOf(bed, "c".repeat(40))[0]!.state, "STOPPED");
  });
});
