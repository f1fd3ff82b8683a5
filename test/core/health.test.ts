import assert from "node:assert/strict";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { registerEchoHandler, pushPayload } from "../helpers/echo-handler";

describe("Health and metrics", () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start({ integrations: [], registerHandlers: (r) => registerEchoHandler(r) });
  });
  after(() => h.close());

  it("answers an unknown route or method with a JSON 404, like every other client error", async () => {
    for (const [method, path] of [["GET", "/nope"], ["POST", "/connect/webhooks/nope"], ["DELETE", "/healthz"]] as const) {
      const res = await h.fetch(method, path, undefined, {});
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(res.json(), { error: "not found" }, `${method} ${path}`);
    }
  });

  it("reports database and worker health", async () => {
    const res = await h.get("/healthz");
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { status: "ok", database: true, worker: true });
  });

  it("exposes deliveries, jobs, queue depth and outbound latency in Prometheus text", async () => {
    const push = pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName }), "2".repeat(40));
    await h.webhook("repo:push", push);
    await waitFor(() => h.fake.callsTo("POST", /statuses\/build$/).length === 1, "status");
    await waitFor(async () => /relay_jobs_processed_total\{handler="core.echo",outcome="done"\} 1/.test((await h.get("/metrics")).text), "metric");
    const text = (await h.get("/metrics")).text;
    assert.match(text, /relay_deliveries_received_total\{source="bitbucket",event="repo:push"\} 1/);
    assert.match(text, /relay_queue_depth\{status="queued"\} 0/);
    assert.match(text, /relay_outbound_call_seconds_count\{target="bitbucket",status="201"\} 1/);
    assert.match(text, /relay_jobs_dead_total/);
  });

  it("serves the Connect descriptor with one webhook URL per event", async () => {
    const d = (await h.get("/atlassian-connect.json")).json<{ baseUrl: string; modules: { webhooks: Array<{ event: string; url: string }> }; scopes: string[] }>();
    const urls = d.modules.webhooks.map((w) => w.url);
    assert.equal(new Set(urls).size, urls.length);
    assert.equal(d.modules.webhooks.length, 11);
    assert.deepEqual(d.scopes.sort(), ["account", "pullrequest", "repository"]);
    assert.ok(!d.baseUrl.includes("{{"));
  });
});
