import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { request } from "undici";
import { createRelayApp, type RelayApp } from "../../../src/app";
import { buildAlertsIntegration } from "../../../src/integrations/build-alerts";
import { listIncidents } from "../../../src/integrations/build-alerts/incidents";
import { bitbucketJwt } from "../../helpers/jwt";
import { AlertsBed, ROUTING_KEY } from "./support";

describe("Build alerts: incident state lives in the database", () => {
  let bed: AlertsBed;
  let second: RelayApp;
  let secondUrl: string;
  before(async () => {
    bed = await AlertsBed.start();
    await bed.configure({ alertopsEnabled: false, webhookEnabled: false });
    // A second instance on the same database, without a worker of its own: it only takes webhooks.
    const config = { ...bed.h.services.config, worker: { ...bed.h.services.config.worker, enabled: false } };
    second = await createRelayApp({ config, integrations: [buildAlertsIntegration] });
    secondUrl = (await second.listen(0)).url;
  });
  after(async () => {
    await second.close();
    await bed.close();
  });

  async function postTo(url: string, payload: unknown): Promise<number> {
    const path = "/connect/webhooks/repo/commit_status_updated";
    const jwt = bitbucketJwt("POST", path, { clientKey: bed.h.tenant.clientKey, sharedSecret: bed.h.tenant.sharedSecret, jti: randomUUID() });
    const res = await request(`${url}${path}`, {
      method: "POST",
      body: JSON.stringify(payload),
      headers: {
        "content-type": "application/json",
        authorization: `JWT ${jwt}`,
        "x-event-key": "repo:commit_status_updated",
        "x-request-uuid": randomUUID(),
      },
    });
    await res.body.text();
    return res.statusCode;
  }

  it("an incident opened through one instance is a duplicate through the other, and closes there", async () => {
    assert.equal(await postTo(bed.h.url, bed.status("FAILED", { at: 1 })), 204);
    await bed.settled("build-alerts.commit-status", 1);
    assert.equal(await postTo(secondUrl, bed.status("FAILED", { at: 2 })), 204);
    const jobs = await bed.settled("build-alerts.commit-status", 2);
    assert.equal(jobs[1]!.status, "ignored");
    assert.match(JSON.parse(jobs[1]!.result!).reason, /duplicate/);
    assert.equal(await postTo(secondUrl, bed.status("SUCCESSFUL", { at: 3 })), 204);
    await bed.settled("build-alerts.commit-status", 3);
    await bed.settled("build-alerts.notify", 2);
    assert.deepEqual(bed.pd.requests.map((r) => (r.body as { event_action: string }).event_action), ["trigger", "resolve"]);
    assert.equal(bed.pd.open.size, 0);
    const rows = await listIncidents(second.services, bed.h.tenant.installation.id, bed.h.repo.uuid);
    assert.deepEqual(rows.map((r) => [r.state, r.opens, r.sent_pagerduty]), [["closed", 1, "closed"]]);
    assert.ok(bed.pd.routingKeys.has(ROUTING_KEY));
  });

  it("a notification that is stale when it runs brings the target to the current state only", async () => {
    // Open while PagerDuty is down for a long time, then close before the open notification is retried.
    bed.pd.failNext({ status: 429, retryAfter: 1 });
    await postTo(bed.h.url, bed.status("FAILED", { at: 10, key: "flaky" }));
    await bed.settled("build-alerts.commit-status", 4);
    await postTo(bed.h.url, bed.status("SUCCESSFUL", { at: 11, key: "flaky" }));
    await bed.settled("build-alerts.notify", 4);
    const flaky = bed.pd.requests.filter((r) => JSON.stringify(r.body).includes(":flaky"));
    // The first trigger was refused (429); by the time of the retry the incident was closed, so PagerDuty
    // never gets a trigger after which nothing would resolve it.
    assert.equal(flaky[0]!.status, 429);
    assert.ok(flaky.slice(1).every((r) => (r.body as { event_action: string }).event_action !== "trigger"));
    assert.equal(bed.pd.open.size, 0);
  });

  it("concurrent FAILED deliveries for one new identity open exactly one incident", async () => {
    const before = await bed.count("build-alerts.commit-status");
    const codes = await Promise.all([1, 2, 3, 4, 5].map((n) => postTo(n % 2 ? bed.h.url : secondUrl, bed.status("FAILED", { at: 100 + n, key: "race" }))));
    assert.deepEqual(codes, [204, 204, 204, 204, 204]);
    const jobs = (await bed.settled("build-alerts.commit-status", before + 5)).slice(before);
    const outcomes = jobs.map((j) => (j.status === "done" ? JSON.parse(j.result!).action : j.status)).sort();
    assert.deepEqual(outcomes, ["ignored", "ignored", "ignored", "ignored", "open"], jobs.map((j) => j.lastError ?? j.result).join("\n"));
  });
});
