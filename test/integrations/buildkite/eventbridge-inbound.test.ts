import assert from "node:assert/strict";
import { startBed, ebEvent, postEventBridge, settle, jobsOf, statusesOf, statusPosts, type BuildkiteBed } from "./support";
import { Delivery } from "../../../src/models";

describe("Buildkite via EventBridge API destination: door", () => {
  let bed: BuildkiteBed;
  before(async () => {
    bed = await startBed();
  });
  after(async () => {
    await bed.h.close();
  });

  it("refuses a wrong, missing or other installation's API key with 401 and stores nothing", async () => {
    const before = await Delivery.count();
    assert.equal((await postEventBridge(bed, ebEvent(), "bkr_wrong")).status, 401);
    assert.equal((await postEventBridge(bed, ebEvent(), null)).status, 401);
    const other = await postEventBridge(bed, ebEvent(), bed.apiKey, "00000000-0000-4000-8000-000000000000");
    assert.equal(other.status, 401);
    assert.deepEqual(other.json(), { error: "invalid API key" });
    assert.equal((await postEventBridge(bed, ebEvent(), bed.apiKey, "not-a-uuid")).status, 401);
    assert.equal(await Delivery.count(), before);
  });

  it("answers 400 to a malformed body, a non-Buildkite source or a build without number", async () => {
    const before = await Delivery.count();
    const notJson = await bed.h.fetch("POST", `/inbound/buildkite/eventbridge/${bed.h.tenant.installation.id}`, "{not json", {
      "content-type": "application/json; charset=utf-8",
      "x-relay-api-key": bed.apiKey,
    });
    assert.equal(notJson.status, 400);
    assert.equal((await postEventBridge(bed, { hello: "world" })).status, 400);
    assert.equal((await postEventBridge(bed, { ...ebEvent(), source: "aws.partner/github.com/x/y" })).status, 400);
    const noNumber = ebEvent();
    delete ((noNumber.detail as { build: Record<string, unknown> }).build).number;
    const res = await postEventBridge(bed, noNumber);
    assert.equal(res.status, 400);
    assert.match(res.json<{ error: string }>().error, /build\.number/);
    assert.equal(await Delivery.count(), before);
  });

  it("acknowledges non-build detail-types without storing them", async () => {
    const before = await Delivery.count();
    const job = ebEvent("eventbridge-job-finished.json");
    const res = await postEventBridge(bed, job);
    assert.equal(res.status, 202);
    assert.match(res.json<{ ignored: string }>().ignored, /Job Finished/);
    assert.equal(await Delivery.count(), before);
  });

  it("stores, acknowledges with 202 and reports the build (reference Build Finished example)", async () => {
    const ev = ebEvent("eventbridge-build-finished.json", { id: "bd2f894c-6778-b65d-011a-8898a9df8ee6" });
    const res = await postEventBridge(bed, ev);
    assert.equal(res.status, 202);
    assert.equal(res.json<{ duplicate: boolean }>().duplicate, false);
    await settle(bed.h);
    const [status] = statusesOf(bed);
    assert.ok(status, "a status was posted");
    assert.equal(status.key, "buildkite-my-pipeline");
    assert.equal(status.state, "SUCCESSFUL");
    assert.equal(status.name, "Buildkite: my-pipeline #123456");
    assert.equal(status.url, "https://buildkite.com/my-org/my-pipeline/builds/123456");
    assert.equal(status.refname, "main");
    const post = statusPosts(bed).at(-1)!;
    assert.equal(post.status, 201, "the fake validated the body against the OpenAPI spec");
    assert.equal(post.auth.kind, "jwt");
  });

  it("treats a redelivered event id as a duplicate: acknowledged, not processed again", async () => {
    const ev = ebEvent("eventbridge-build-started.json", { number: 7, time: "2024-08-19T05:15:58Z" });
    assert.equal((await postEventBridge(bed, ev)).status, 202);
    await settle(bed.h);
    const posts = statusPosts(bed).length;
    const again = await postEventBridge(bed, ev);
    assert.equal(again.status, 202);
    assert.equal(again.json<{ duplicate: boolean }>().duplicate, true);
    await settle(bed.h);
    assert.equal(statusPosts(bed).length, posts);
  });

  it("acknowledges a build of an unknown pipeline and ignores it with a log line", async () => {
    const ev = ebEvent("eventbridge-build-finished.json", { repo: "git@bitbucket.org:acme/other-repo.git", slug: "unknown-pipe" });
    const posts = statusPosts(bed).length;
    const res = await postEventBridge(bed, ev);
    assert.equal(res.status, 202);
    await settle(bed.h);
    assert.equal(statusPosts(bed).length, posts);
    const route = (await jobsOf("buildkite.route")).at(-1)!;
    assert.equal(route.status, "ignored");
    assert.match(JSON.stringify(route.result), /no repository with Buildkite enabled matches pipeline my-org\/unknown-pipe/);
    const line = bed.logs.find(/no enabled repository matches/);
    assert.ok(line, "a log line names the ignored build");
    assert.equal(line.pipeline, "my-org/unknown-pipe");
    assert.equal(line.pipelineRepo, "git@bitbucket.org:acme/other-repo.git");
  });

  it("does not log the API key", () => {
    const all = JSON.stringify(bed.logs.lines);
    assert.ok(!all.includes(bed.apiKey));
  });

});

describe("Buildkite via EventBridge API destination: storage failure", () => {
  it("answers 503 with Retry-After (so EventBridge retries) when the event cannot be stored", async () => {
    const bed = await startBed();
    try {
      await bed.h.services.db.sequelize.query("ALTER TABLE deliveries RENAME TO deliveries_gone");
      const res = await postEventBridge(bed, ebEvent());
      assert.equal(res.status, 503);
      assert.equal(res.headers["retry-after"], "5");
      assert.deepEqual(res.json(), { error: "could not store the event, retry later" });
      await bed.h.services.db.sequelize.query("ALTER TABLE deliveries_gone RENAME TO deliveries");
      assert.equal((await postEventBridge(bed, ebEvent())).status, 202, "the retry is accepted once storage works");
    } finally {
      await bed.h.close();
    }
  });
});
