import assert from "node:assert/strict";
import { bitbucketWebhook, forRepository, waitFor } from "../../helpers/fixtures";
import { publishEvents } from "../../../src/integrations/eventbridge-out";
import { eventBridgeOut } from "../../../src/integrations/eventbridge-out/settings";
import { EventBridgeBed, ROLE } from "./support";
import { Delivery } from "../../../src/models";

describe("EventBridge out: forwarding Bitbucket events to the customer's bus", () => {
  let bed: EventBridgeBed;
  before(async () => {
    bed = await EventBridgeBed.start();
  });
  after(() => bed.close());
  beforeEach(() => {
    bed.eb.reset();
    bed.since = Date.now();
  });

  const payload = (file: string) =>
    forRepository(bitbucketWebhook(file), { uuid: bed.h.repo.uuid, fullName: bed.h.repo.fullName, workspaceUuid: bed.h.tenant.workspace.uuid });
  const repoArgs = () => [bed.h.services, bed.h.tenant.installation, bed.h.repo.uuid] as const;

  it("does nothing while EventBridge out is off for the repository", async () => {
    const res = await publishEvents(...repoArgs(), [{ detailType: "x", detail: { a: 1 } }]);
    assert.equal(res.published, 0);
    assert.match(res.skipped!, /off/);
    assert.equal(bed.eb.calls.length, 0);
  });

  it("puts a push webhook on the bus: Source = app, DetailType = event key, Detail = payload, role assumed with the ExternalId", async () => {
    await bed.configure({});
    const body = payload("repo-push.real-2023.json");
    const res = await bed.h.webhook("repo:push", body);
    assert.equal(res.status, 204);
    const [job] = await bed.settled("eventbridge-out.forward");
    assert.equal(job!.status, "done", job!.lastError ?? "");
    const [event] = bed.eb.eventsOn("customer-bus");
    assert.ok(event);
    assert.equal(event.source, bed.h.services.config.appKey);
    assert.equal(event.detailType, "repo:push");
    assert.deepEqual(event.detail, JSON.parse(JSON.stringify(body)));
    assert.equal(event.region, "eu-west-1");
    assert.equal(typeof event.time, "number");
    const granted = bed.sts.calls.filter((c) => c.roleArn === ROLE);
    assert.ok(granted.length >= 1 && granted.every((c) => c.granted), "the role was assumed with the installation's ExternalId");
    assert.deepEqual(JSON.parse(job!.result!), { published: 1, eventIds: [event.eventId], trimmed: [] });
    const delivery = await Delivery.findByPk(job!.deliveryId!);
    assert.equal(event.time, Math.floor(Number(delivery!.receivedAt) / 1000), "Time is when Bitbucket's delivery arrived, whatever the attempt");
  });

  it("forwards pull request and commit status events, and skips families that are switched off", async () => {
    await bed.configure({ eventTypes: ["pull_request"] });
    await bed.h.webhook("pullrequest:created", payload("pullrequest-created.real-2023.json"));
    await bed.h.webhook("repo:commit_status_updated", payload("repo-commit_status_updated.go-playground.json"));
    const pr = await bed.settled("eventbridge-out.forward", 2);
    assert.deepEqual(pr.map((j) => j.status).sort(), ["done", "ignored"]);
    const ignored = pr.find((j) => j.status === "ignored")!;
    assert.match(JSON.parse(ignored.result!).reason, /commit_status events are not forwarded/);
    assert.deepEqual(bed.eb.events.map((e) => e.detailType), ["pullrequest:created"]);

    await bed.configure({ eventTypes: ["push", "pull_request", "commit_status"] });
    await bed.h.webhook("repo:commit_status_created", payload("repo-commit_status_created.go-playground.json"));
    await waitFor(() => bed.eb.events.some((e) => e.detailType === "repo:commit_status_created"), "commit status event");
  });

  it("a bus given as an ARN reaches that bus", async () => {
    await bed.configure({ eventBus: "arn:aws:events:eu-west-1:123456789012:event-bus/arn-bus" });
    const res = await publishEvents(...repoArgs(), [{ detailType: "custom", detail: { n: 1 } }]);
    assert.equal(res.published, 1);
    assert.equal(bed.eb.eventsOn("arn-bus").length, 1);
  });

  it("sends at most 10 entries per PutEvents call", async () => {
    await bed.configure({});
    const entries = Array.from({ length: 23 }, (_, n) => ({ detailType: "proton:sync", detail: { n } }));
    const res = await publishEvents(...repoArgs(), entries);
    assert.equal(res.published, 23);
    assert.deepEqual(bed.eb.callsOf("PutEvents").map((c) => (c.input.Entries as unknown[]).length), [10, 10, 3]);
    assert.deepEqual(bed.eb.events.map((e) => e.detail.n), entries.map((e) => e.detail.n));
  });

  it("retries only the entries that failed (FailedEntryCount), never the whole batch", async () => {
    await bed.configure({});
    bed.eb.failEntries({ errorCode: "InternalFailure", errorMessage: "try again", match: (e) => e.detail === '{"n":3}' });
    bed.eb.failEntries({ errorCode: "ThrottlingException", match: (e) => e.detail === '{"n":5}' });
    const res = await publishEvents(...repoArgs(), [1, 2, 3, 4, 5].map((n) => ({ detailType: "d", detail: { n } })));
    assert.equal(res.published, 3);
    assert.equal(res.deferred, 2, "the failed entries went to a retry job of their own");
    const [job] = await bed.settled("eventbridge-out.retry-entries");
    assert.equal(job!.status, "done", job!.lastError ?? "");
    const calls = bed.eb.callsOf("PutEvents").map((c) => (c.input.Entries as Array<{ Detail: string }>).map((e) => e.Detail));
    assert.deepEqual(calls, [['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', '{"n":5}'], ['{"n":3}', '{"n":5}']]);
    assert.deepEqual(bed.eb.events.map((e) => e.detail.n).sort(), [1, 2, 3, 4, 5]);
  });

  it("an entry that keeps failing goes to a retry job of its own, retried by the worker; the published ones are not sent again", async () => {
    await bed.configure({});
    bed.eb.failEntries({ errorCode: "InternalFailure", times: 2, match: (e) => e.detail === '{"n":2}' });
    const res = await publishEvents(...repoArgs(), [1, 2, 3].map((n) => ({ detailType: "d", detail: { n } })));
    assert.equal(res.published, 2);
    assert.equal(res.deferred, 1);
    const [job] = await bed.settled("eventbridge-out.retry-entries");
    assert.equal(job!.status, "done", job!.lastError ?? "");
    assert.equal(job!.attempts, 2, "the retry job failed once (the entry failed again) and was retried with the retry policy");
    assert.deepEqual(bed.eb.events.map((e) => e.detail.n).sort(), [1, 2, 3], "each entry published exactly once");
    const lastCall = bed.eb.callsOf("PutEvents").at(-1)!;
    assert.deepEqual((lastCall.input.Entries as Array<{ Detail: string }>).map((e) => e.Detail), ['{"n":2}']);
  });

  it("a whole-call InternalException is retried by the SDK and then accepted", async () => {
    await bed.configure({});
    bed.eb.inject({ operation: "PutEvents", type: "InternalException", status: 500 });
    const res = await publishEvents(...repoArgs(), [{ detailType: "d", detail: { ok: true } }]);
    assert.equal(res.published, 1);
    assert.deepEqual(bed.eb.callsOf("PutEvents").map((c) => c.status), [500, 200]);
  });

  it("an entry rejected for good ends the job dead with EventBridge's reason", async () => {
    await bed.configure({});
    bed.eb.failEntries({ errorCode: "AccessDeniedException", errorMessage: "not allowed to put on customer-bus", times: 1 });
    await bed.h.webhook("repo:push", payload("repo-push.real-2023.json"));
    const [dead] = await bed.settled("eventbridge-out.forward");
    assert.equal(dead.status, "dead");
    assert.equal(dead.attempts, 1, "not retried");
    assert.match(dead.lastError!, /AccessDeniedException: not allowed to put on customer-bus/);
  });

  it("a role that does not trust this installation's ExternalId is refused for good (PermanentError), without PutEvents", async () => {
    await bed.configure({ roleArn: "arn:aws:iam::123456789012:role/someone-else" });
    await assert.rejects(publishEvents(...repoArgs(), [{ detailType: "d", detail: {} }]), (e: Error) => e.name === "PermanentError" && /not authorized/.test(e.message));
    assert.equal(bed.eb.callsOf("PutEvents").length, 0);
  });

  it("trims an oversized payload to fit, with a field saying so", async () => {
    await bed.configure({});
    const body = payload("repo-push.real-2023.json") as Record<string, unknown>;
    const huge = { ...body, push: { ...(body.push as object), note: "é".repeat(200_000), more: "y".repeat(150_000) } };
    const res = await publishEvents(...repoArgs(), [{ detailType: "repo:push", detail: huge }]);
    assert.equal(res.published, 1);
    assert.equal(res.trimmed, 1);
    const [event] = bed.eb.events;
    assert.ok(event!.sizeBytes <= bed.eb.maxEntryBytes);
    const relay = event!.detail.relay as { trimmed: Array<{ path: string; type: string }>; originalBytes: number };
    assert.ok(relay.originalBytes > 500_000);
    assert.deepEqual(relay.trimmed.map((t) => [t.path, t.type]).sort(), [["/push/more", "string"], ["/push/note", "string"]]);
    assert.equal(typeof (event!.detail.push as { note: unknown }).note, "string", "a shortened field keeps its type");
    assert.deepEqual((event!.detail.repository as { full_name: string }).full_name, bed.h.repo.fullName, "the rest of the payload is kept");
  });

  it("'Send test event' puts a marked event on the bus and shows EventBridge's answer", async () => {
    await bed.configure({ enabled: false });
    const settings = await bed.h.services.settings.get(bed.h.tenant.installation.id, bed.h.repo.uuid, "eventbridge-out");
    const out = await eventBridgeOut.actions!.testEvent!.run({
      services: bed.h.services,
      installation: bed.h.tenant.installation,
      repository: { uuid: bed.h.repo.uuid, fullName: bed.h.repo.fullName },
      settings,
      actor: "admin-1",
    });
    assert.equal(out.ok, true, out.message);
    const [event] = bed.eb.events;
    assert.equal(event!.detailType, "relay:test");
    assert.equal(event!.detail.test, true);
    assert.match(out.message, new RegExp(event!.eventId));

    bed.eb.failEntries({ errorCode: "AccessDeniedException", errorMessage: "denied by policy" });
    const failed = await eventBridgeOut.actions!.testEvent!.run({
      services: bed.h.services,
      installation: bed.h.tenant.installation,
      repository: { uuid: bed.h.repo.uuid, fullName: bed.h.repo.fullName },
      settings,
      actor: "admin-1",
    });
    assert.equal(failed.ok, false);
    assert.match(failed.message, /denied by policy/);
  });
});
