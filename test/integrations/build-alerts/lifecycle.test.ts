import assert from "node:assert/strict";
import { AlertsBed, HASH, ROUTING_KEY, WEBHOOK_SECRET } from "./support";
import { signWebhook } from "../../../src/integrations/build-alerts/targets/webhook";
import { listIncidents } from "../../../src/integrations/build-alerts/incidents";

describe("Build alerts: FAILED opens, SUCCESSFUL closes (INPROGRESS too when the policy says so), duplicates do nothing", () => {
  let bed: AlertsBed;
  before(async () => {
    bed = await AlertsBed.start();
    await bed.configure();
  });
  after(() => bed.close());

  const identity = "bitbucket:acme/widgets:main:buildkite-widgets";
  const resultOf = (j: { result: string | null }) => JSON.parse(j.result ?? "null") as Record<string, unknown>;

  it("FAILED opens an incident in every target with the exact bodies and headers", async () => {
    const job = await bed.send("FAILED", { at: 10, name: "Widgets #42" });
    assert.equal(job.status, "done", job.lastError ?? "");
    assert.equal(resultOf(job).action, "open");
    await bed.settled("build-alerts.notify", 3);

    // PagerDuty Events v2: trigger with dedup_key = the identity
    assert.equal(bed.pd.requests.length, 1);
    const pd = bed.pd.requests[0]!;
    assert.equal(pd.headers["content-type"], "application/json");
    assert.deepEqual(pd.body, {
      routing_key: ROUTING_KEY,
      event_action: "trigger",
      dedup_key: identity,
      payload: {
        summary: `Build FAILED: acme/widgets main @ ${HASH.slice(0, 7)} (Widgets #42)`,
        source: "buildkite.com",
        severity: "error",
        timestamp: "2026-11-20T08:00:10.000Z",
        component: "widgets",
        group: "acme",
        class: "ci-build-failure",
        custom_details: {
          repository: "acme/widgets",
          commit: HASH,
          refname: "main",
          status_key: "buildkite-widgets",
          status_state: "FAILED",
          description: "Build failed",
          test: false,
        },
      },
      links: [{ href: "https://buildkite.com/acme/widgets/builds/42", text: "Widgets #42" }],
      client: "Bitbucket Relay",
      client_url: bed.h.services.config.baseUrl,
    });
    assert.equal(bed.pd.open.get(`${ROUTING_KEY}|${identity}`)?.triggers, 1);

    // AlertOps: the commit-status fields its Bitbucket template maps, plus Source/Source Name/Source Id/status
    assert.equal(bed.ao.requests.length, 1);
    const ao = bed.ao.requests[0]!;
    assert.equal(ao.path, `/POSTAlert/${bed.ao.apiKey}/Bitbucket`);
    assert.deepEqual(ao.body, {
      source: "Bitbucket",
      source_name: "acme/widgets",
      source_id: identity,
      status: "OPEN",
      subject: `Build FAILED: acme/widgets main @ ${HASH.slice(0, 7)} (Widgets #42)`,
      long_text: "Build failed",
      url: "https://buildkite.com/acme/widgets/builds/42",
      test: false,
      repository: { uuid: bed.h.repo.uuid, full_name: "acme/widgets", links: { html: { href: "https://api.bitbucket.org/bitbucket/bitbucket" } } },
      commit_status: {
        type: "build",
        key: "buildkite-widgets",
        name: "Widgets #42",
        state: "FAILED",
        description: "Build failed",
        url: "https://buildkite.com/acme/widgets/builds/42",
        refname: "main",
        commit: { hash: HASH },
        created_on: "2015-11-19T20:37:35.547563+00:00",
        updated_on: "2026-11-20T08:00:10.000Z",
      },
    });

    // Generic webhook: HMAC-SHA256 over "<timestamp>.<body>"
    assert.equal(bed.hook.requests.length, 1);
    const wh = bed.hook.requests[0]!;
    assert.equal(wh.status, 204, "the receiver verified the signature");
    assert.equal(wh.headers["x-relay-signature"], signWebhook(WEBHOOK_SECRET, String(wh.headers["x-relay-timestamp"]), wh.raw));
    assert.equal(wh.headers["x-relay-event"], "incident.opened");
    assert.ok(wh.headers["x-relay-delivery"]);
    const body = wh.body as { event: string; incident: { identity: string; state: string; opens: number }; commit_status: { state: string } };
    assert.equal(body.event, "incident.opened");
    assert.deepEqual([body.incident.identity, body.incident.state, body.incident.opens], [identity, "open", 1]);
    assert.equal(body.commit_status.state, "FAILED");
  });

  it("a FAILED while the incident is open is a duplicate: nothing new is sent", async () => {
    const notifies = (await bed.notifyJobs()).length;
    const job = await bed.send("FAILED", { at: 20 });
    assert.equal(job.status, "ignored");
    assert.match(resultOf(job).reason as string, /duplicate/);
    assert.equal((await bed.notifyJobs()).length, notifies, "no notify job");
    assert.equal(bed.pd.requests.length + bed.ao.requests.length + bed.hook.requests.length, 3);
  });

  it("the same delivery twice is stored once (Bitbucket retries)", async () => {
    const payload = bed.status("FAILED", { at: 21 });
    const a = await bed.h.webhook("repo:commit_status_updated", payload, { requestUuid: "same-delivery-1" });
    const b = await bed.h.webhook("repo:commit_status_updated", payload, { requestUuid: "same-delivery-1" });
    assert.deepEqual([a.status, b.status], [204, 200]);
  });

  it("SUCCESSFUL closes it: PagerDuty resolve, AlertOps CLOSE, webhook incident.closed", async () => {
    const job = await bed.send("SUCCESSFUL", { at: 30 });
    assert.equal(job.status, "done", job.lastError ?? "");
    assert.equal(resultOf(job).action, "close");
    await bed.settled("build-alerts.notify", 6);
    assert.deepEqual(bed.pd.requests.at(-1)!.body, { routing_key: ROUTING_KEY, event_action: "resolve", dedup_key: identity });
    assert.deepEqual(bed.pd.resolved, [identity]);
    assert.equal(bed.pd.open.size, 0);
    const ao = bed.ao.requests.at(-1)!.body as { status: string; source_id: string; commit_status: { state: string } };
    assert.deepEqual([ao.status, ao.source_id, ao.commit_status.state], ["CLOSE", identity, "SUCCESSFUL"]);
    assert.equal(bed.ao.open.size, 0);
    assert.equal(bed.hook.requests.at(-1)!.headers["x-relay-event"], "incident.closed");
    assert.equal(bed.hook.requests.at(-1)!.status, 204);
  });

  it("a close with nothing open does nothing", async () => {
    const before = bed.pd.requests.length;
    const job = await bed.send("SUCCESSFUL", { at: 40 });
    assert.equal(job.status, "ignored");
    assert.match(resultOf(job).reason as string, /no open incident/);
    const other = await bed.send("INPROGRESS", { at: 41, key: "never-failed" });
    assert.equal(other.status, "ignored");
    assert.equal(bed.pd.requests.length, before);
  });

  it("a late, older FAILED cannot reopen what a newer status closed", async () => {
    const job = await bed.send("FAILED", { at: 25 });
    assert.equal(job.status, "ignored");
    assert.match(resultOf(job).reason as string, /older/);
  });

  it("FAILED opens again (same identity, a new commit); INPROGRESS (a re-run) closes under resolveWhen: passedOrRunning", async () => {
    const open = await bed.send("FAILED", { at: 50, hash: "f".repeat(40) });
    assert.equal(resultOf(open).action, "open");
    await bed.settled("build-alerts.notify", 9);
    assert.equal(bed.pd.open.get(`${ROUTING_KEY}|${identity}`)?.triggers, 1, "a new PagerDuty alert after the resolve");
    const reopened = (bed.hook.requests.at(-1)!.body as { incident: { opens: number } }).incident.opens;
    assert.equal(reopened, 2);
    const kept = await bed.send("INPROGRESS", { at: 55, hash: "e".repeat(40) });
    assert.match(resultOf(kept).reason as string, /paging policy resolves on a later success/, "the default keeps it open while a new run goes");
    await bed.configure({ resolveWhen: "passedOrRunning" });
    const close = await bed.send("INPROGRESS", { at: 60, hash: "e".repeat(40) });
    assert.equal(resultOf(close).action, "close");
    await bed.settled("build-alerts.notify", 12);
    assert.equal(bed.pd.open.size, 0);
    const [row] = (await listIncidents(bed.h.services, bed.h.tenant.installation.id, bed.h.repo.uuid)).filter((r) => r.dedup_key === identity);
    assert.deepEqual([row!.state, row!.opens, row!.sent_pagerduty, row!.sent_alertops, row!.sent_webhook], ["closed", 2, "closed", "closed", "closed"]);
  });

  it("STOPPED neither opens nor closes", async () => {
    const job = await bed.send("STOPPED", { at: 70 });
    assert.equal(job.status, "ignored");
  });

  it("a status without a branch is its own identity per commit", async () => {
    const open = await bed.send("FAILED", { at: 80, refname: null, key: "lint" });
    assert.equal(resultOf(open).identity, `bitbucket:acme/widgets:${HASH}:lint`);
    const otherCommit = await bed.send("SUCCESSFUL", { at: 81, refname: null, key: "lint", hash: "1".repeat(40) });
    assert.equal(otherCommit.status, "ignored", "another commit does not close it");
    const close = await bed.send("SUCCESSFUL", { at: 82, refname: null, key: "lint" });
    assert.equal(resultOf(close).action, "close");
  });
});
