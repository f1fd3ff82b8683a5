import assert from "node:assert/strict";
import { AlertsBed, ROUTING_KEY } from "./support";
import { buildAlerts } from "../../../src/integrations/build-alerts/settings";
import { SettingsValidationError } from "../../../src/settings/service";
import { OutboundCallRecord } from "../../../src/models";

describe("Build alerts: target failures, filters, settings and the test alert", () => {
  let bed: AlertsBed;
  let clock = 0;
  before(async () => {
    bed = await AlertsBed.start();
  });
  after(() => bed.close());
  beforeEach(() => bed.reset());

  const at = () => (clock += 10);
  const notifyFor = async (target: string, count: number) =>
    (await bed.settled("build-alerts.notify", count)).filter((j) => JSON.parse(j.payload!).target === target);

  it("a 5xx from the target is retried until it accepts", async () => {
    await bed.configure({ alertopsEnabled: false, webhookEnabled: false });
    bed.pd.failNext({ status: 503, body: { status: "unavailable" } }, 2);
    await bed.send("FAILED", { at: at(), key: "k-5xx" });
    const [job] = await notifyFor("pagerduty", 1);
    assert.equal(job!.status, "done", job!.lastError ?? "");
    assert.deepEqual(bed.pd.requests.map((r) => r.status), [503, 503, 202]);
    assert.equal(bed.pd.open.size, 1);
  });

  it("a 429 with a long Retry-After is left to the job scheduler, then accepted", async () => {
    await bed.configure({ alertopsEnabled: false, webhookEnabled: false });
    bed.pd.failNext({ status: 429, body: { status: "throttled" }, retryAfter: 1 });
    await bed.send("SUCCESSFUL", { at: at(), key: "k-5xx" });
    const jobs = await notifyFor("pagerduty", 2);
    const job = jobs.at(-1)!;
    assert.equal(job.status, "done", job.lastError ?? "");
    assert.equal(job.attempts, 2, "one scheduled retry");
    assert.deepEqual(bed.pd.requests.map((r) => r.status), [429, 202]);
    assert.equal(bed.pd.open.size, 0);
  });

  it("a 4xx from the target ends the job dead with the target's reason, not retried", async () => {
    await bed.configure({ alertopsEnabled: false, webhookEnabled: false }, { pagerdutyRoutingKey: "not-a-known-routing-key" });
    await bed.send("FAILED", { at: at(), key: "k-4xx" });
    const job = (await notifyFor("pagerduty", 3)).at(-1)!;
    assert.equal(job.status, "dead");
    assert.equal(job.attempts, 1);
    assert.match(job.lastError!, /pagerduty answered 400/);
    assert.match(job.lastError!, /routing_key/);
    assert.equal(bed.pd.requests.length, 1);
  });

  it("AlertOps answering 401 (wrong integration URL) ends dead with the reason", async () => {
    await bed.configure({ pagerdutyEnabled: false, webhookEnabled: false }, { alertopsUrl: `${bed.ao.url}/POSTAlert/wrong-key/Bitbucket` });
    await bed.send("FAILED", { at: at(), key: "k-ao" });
    const job = (await notifyFor("alertops", 4)).at(-1)!;
    assert.equal(job.status, "dead");
    assert.match(job.lastError!, /alertops answered 401.*invalid API key/);
    const calls = await OutboundCallRecord.findAll({ where: { jobId: job.id } });
    assert.equal(calls.length, 1);
    assert.ok(!calls[0]!.url.includes("wrong-key"), "the integration URL (it carries the API key) is not in the call log");
  });

  it("branch and status-key filters (globs) decide which statuses count", async () => {
    await bed.configure({ branches: ["main", "release/*"], statusKeys: ["buildkite-*"], alertopsEnabled: false, webhookEnabled: false });
    const feature = await bed.send("FAILED", { at: at(), refname: "feature/x", key: "buildkite-a" });
    assert.match(JSON.parse(feature.result!).reason, /branch feature\/x is filtered out/);
    const lint = await bed.send("FAILED", { at: at(), refname: "main", key: "lint" });
    assert.match(JSON.parse(lint.result!).reason, /status key lint is filtered out/);
    const noBranch = await bed.send("FAILED", { at: at(), refname: null, key: "buildkite-a" });
    assert.match(JSON.parse(noBranch.result!).reason, /names no branch/);
    const release = await bed.send("FAILED", { at: at(), refname: "release/2.1", key: "buildkite-a" });
    assert.equal(JSON.parse(release.result!).action, "open");
  });

  it("compares branch names and status keys in NFC: filters and incident identity (issue 15.10)", async () => {
    const NFC = "feature/\u00fcber-login";
    const NFD = "feature/u\u0308ber-login";
    await bed.configure({ branches: ["feature/\u00fcber-*"], statusKeys: ["caf\u00e9-*"], alertopsEnabled: false, webhookEnabled: false });
    const opened = await bed.send("FAILED", { at: at(), refname: NFD, key: "cafe\u0301-build" });
    assert.equal(JSON.parse(opened.result!).action, "open", opened.result!);
    // The same branch and key sent in the other form is the same incident: it closes it.
    const closed = await bed.send("SUCCESSFUL", { at: at(), refname: NFC, key: "caf\u00e9-build" });
    assert.equal(JSON.parse(closed.result!).action, "close", closed.result!);
    await bed.settled("build-alerts.notify", await bed.count("build-alerts.notify"));
    const pd = bed.pd.requests.map((r) => r.body as { event_action: string; dedup_key: string }).filter((b) => b.dedup_key.includes("ber-login"));
    assert.deepEqual(pd.map((b) => b.event_action), ["trigger", "resolve"]);
    assert.equal(pd[0]!.dedup_key, pd[1]!.dedup_key, "PagerDuty sees one incident");
  });

  it("rejects incomplete target settings and never returns the secrets", async () => {
    const repo = { uuid: bed.h.repo.uuid, fullName: bed.h.repo.fullName };
    await assert.rejects(
      bed.h.services.settings.update(bed.h.tenant.installation.id, repo, "build-alerts", { values: { webhookEnabled: true }, secrets: { webhookSecret: null } }, "t"),
      (e: unknown) => e instanceof SettingsValidationError && e.issues.some((i) => i.path === "webhookSecret"),
    );
    await assert.rejects(
      bed.h.services.settings.update(bed.h.tenant.installation.id, repo, "build-alerts", { values: { branches: "main" } }, "t"),
      SettingsValidationError,
    );
    const view = await bed.h.services.settings.publicView(bed.h.tenant.installation.id, bed.h.repo.uuid, ["build-alerts"]);
    const text = JSON.stringify(view);
    assert.ok(!text.includes(ROUTING_KEY) && !text.includes(bed.ao.apiKey), "no secret in the public view");
    assert.deepEqual(view["build-alerts"]!.secrets.pagerdutyRoutingKey, { set: true });
  });

  it("'Send test alert' sends a marked test to every target and shows each answer", async () => {
    await bed.configure();
    const settings = await bed.h.services.settings.get(bed.h.tenant.installation.id, bed.h.repo.uuid, "build-alerts");
    const ctx = {
      services: bed.h.services,
      installation: bed.h.tenant.installation,
      repository: { uuid: bed.h.repo.uuid, fullName: bed.h.repo.fullName },
      settings,
      actor: "admin",
    };
    const out = await buildAlerts.actions!.testAlert!.run(ctx);
    assert.equal(out.ok, true, out.message);
    assert.match(out.message, /AlertOps: 200 .*Alert received/);
    assert.match(out.message, /PagerDuty: 202 .*Event processed/);
    assert.match(out.message, /Webhook: 204/);
    const [trigger, resolve] = bed.pd.requests.map((r) => r.body as { event_action: string; dedup_key: string; payload?: { summary: string; severity: string } });
    assert.equal(trigger!.event_action, "trigger");
    assert.match(trigger!.payload!.summary, /^\[TEST\] /);
    assert.equal(trigger!.payload!.severity, "info");
    assert.equal(resolve!.event_action, "resolve");
    assert.equal(resolve!.dedup_key, trigger!.dedup_key);
    assert.ok(!bed.pd.open.has(`${ROUTING_KEY}|${trigger!.dedup_key}`), "the test leaves nothing open");
    assert.ok(bed.pd.resolved.includes(trigger!.dedup_key));
    assert.ok(![...bed.ao.open.keys()].some((k) => k.includes("bitbucket-relay-test")));
    assert.deepEqual(bed.hook.verified.map((v) => [v.event, v.body.test]), [["test", true]]);

    const failing = await buildAlerts.actions!.testAlert!.run({ ...ctx, settings: { ...settings, pagerdutyRoutingKey: "wrong-key" } });
    assert.equal(failing.ok, false);
    assert.match(failing.message, /PagerDuty: answered 400: .*routing_key/);
  });
});
