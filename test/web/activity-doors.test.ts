import assert from "node:assert/strict";
import { Job } from "../../src/models";
import { waitFor, bitbucketWebhook, forRepository } from "../helpers/fixtures";
import { pushPayload, registerEchoHandler } from "../helpers/echo-handler";
import { ForgeHost, forgeEvent } from "../forge/forge-host";
import { ebEvent, postEventBridge, postWebhook, settle, SHA, SHA2, startBed, webhookBody, type BuildkiteBed } from "../integrations/buildkite/support";
import { ADMIN, apiAs, grantDefaults, sessionFor } from "./support";

interface ActivityJob {
  id: string;
  handler: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  result: unknown;
  lastError: string | null;
  replays: string[];
  replayOf: string | null;
  calls: Array<{ target: string; method: string; status: number | null }>;
}
interface ActivityBody {
  total: number;
  canReplay: boolean;
  items: Array<{ kind: string; id: string; source: string; eventKey: string; jobs: ActivityJob[] }>;
}

const GADGETS = { uuid: "{99999999-8888-4777-8666-555555555555}", slug: "gadgets", fullName: "acme/gadgets" };

/** The activity log of a repository as its admin sees it through the Connect page API. */
async function activityOf(bed: BuildkiteBed, repo: { uuid: string; fullName: string } = bed.h.repo): Promise<ActivityBody> {
  const api = apiAs(bed.h, await sessionFor(bed.h, ADMIN, bed.h.tenant, repo));
  const res = await api.get(`/repositories/${encodeURIComponent(repo.uuid)}/activity`);
  assert.equal(res.status, 200, res.text);
  return res.json<ActivityBody>();
}

/**
 * Issue 15.1: every delivery and job that touches a repository is listed in that repository's log
 * and can be replayed there, whatever door it came in by, including deliveries whose payload names
 * no repository and that are routed to one later (Buildkite through EventBridge or its webhooks).
 */
describe("Activity log: deliveries routed to a repository later", () => {
  let bed: BuildkiteBed;
  beforeEach(async () => {
    bed = await startBed({ enabled: true });
    grantDefaults(bed.h);
  });
  afterEach(() => bed.h.close());

  it("EventBridge door: the build, its route and report jobs, every 503 and the dead job with a replay that then posts", async () => {
    bed.h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 503, times: 10_000 });
    const res = await postEventBridge(bed, ebEvent());
    assert.equal(res.status, 202, res.text);
    await settle(bed.h);

    const body = await activityOf(bed);
    assert.equal(body.total, 1, JSON.stringify(body));
    assert.equal(body.canReplay, true);
    const entry = body.items[0]!;
    assert.equal(entry.kind, "delivery");
    assert.equal(entry.source, "eventbridge");
    assert.equal(entry.eventKey, "buildkite:build");
    assert.deepEqual(entry.jobs.map((j) => j.handler), ["buildkite.route", "buildkite.report"]);
    const [route, report] = entry.jobs as [ActivityJob, ActivityJob];
    assert.equal(route.status, "done");
    assert.equal(report.status, "dead");
    assert.equal(report.attempts, report.maxAttempts);
    assert.ok(report.calls.length >= report.attempts, "every attempt's Bitbucket call is listed");
    assert.ok(report.calls.every((c) => c.method === "POST" && c.status === 503), JSON.stringify(report.calls));

    bed.h.fake.clearInjections();
    const api = apiAs(bed.h, await sessionFor(bed.h, ADMIN));
    const replay = await api.post(`/repositories/${encodeURIComponent(bed.h.repo.uuid)}/activity/jobs/${report.id}/replay`);
    assert.equal(replay.status, 201, replay.text);
    await settle(bed.h);
    assert.equal(bed.h.fake.statuses("acme", "widgets", SHA).length, 1, "the replay posted the status");

    const after = await activityOf(bed);
    assert.equal(after.total, 1);
    const jobs = after.items[0]!.jobs;
    const replayed = jobs.find((j) => j.replayOf === report.id);
    assert.equal(replayed?.status, "done");
    assert.deepEqual(jobs.find((j) => j.id === report.id)?.replays, [replayed!.id]);
  });

  it("lists every delivered status too, not only failures", async () => {
    for (let n = 1; n <= 3; n++) assert.equal((await postEventBridge(bed, ebEvent(undefined, { number: n, commit: `${n}`.repeat(40) }))).status, 202);
    await settle(bed.h);
    const body = await activityOf(bed);
    assert.equal(body.total, 3);
    for (const item of body.items) assert.deepEqual(item.jobs.map((j) => `${j.handler}:${j.status}`), ["buildkite.route:done", "buildkite.report:done"]);
  });

  it("Buildkite webhook door: each repository sees its own report, and a repository whose filter skipped the build sees why", async () => {
    const { h } = bed;
    h.fake.addRepository({ workspace: "acme", slug: GADGETS.slug, uuid: GADGETS.uuid, mainBranch: "main", clientKey: h.tenant.clientKey });
    h.fake.setRepoPermission("acme", GADGETS.slug, ADMIN, "admin");
    const id = h.tenant.installation.id;
    await h.services.settings.update(id, { uuid: h.repo.uuid, fullName: h.repo.fullName }, "buildkite", { values: { enabled: true, pipelines: ["widgets"] } }, "test");
    await h.services.settings.update(id, GADGETS, "buildkite", { values: { enabled: true, pipelines: ["widgets"], branches: ["release/*"] } }, "test");

    const both = webhookBody("webhook-build-finished.json", { number: 1, commit: SHA });
    (both.build as Record<string, unknown>).branch = "release/1";
    assert.equal((await postWebhook(bed, both)).status, 202);
    const skippedByGadgets = webhookBody("webhook-build-finished.json", { number: 2, commit: SHA2 }); // branch feature/login
    assert.equal((await postWebhook(bed, skippedByGadgets)).status, 202);
    await settle(h);

    const widgets = await activityOf(bed);
    assert.equal(widgets.total, 2);
    for (const item of widgets.items) {
      assert.equal(item.source, "buildkite");
      assert.deepEqual(item.jobs.map((j) => `${j.handler}:${j.status}`), ["buildkite.route:done", "buildkite.report:done"], "only this repository's report");
    }

    const gadgets = await activityOf(bed, GADGETS);
    assert.equal(gadgets.total, 2, JSON.stringify(gadgets));
    const [newest, oldest] = gadgets.items as [ActivityBody["items"][0], ActivityBody["items"][0]];
    assert.deepEqual(oldest.jobs.map((j) => `${j.handler}:${j.status}`), ["buildkite.route:done", "buildkite.report:done"]);
    assert.deepEqual(newest.jobs.map((j) => j.handler), ["buildkite.route"], "skipped: no report, the route says why");
    const route = newest.jobs[0]!.result as { reported: number; byRepository: Record<string, { repository: string; reported: boolean; skipped?: string }> };
    assert.deepEqual(Object.keys(route.byRepository), [GADGETS.uuid], "only this repository's part of the route");
    assert.equal(route.byRepository[GADGETS.uuid]!.repository, "acme/gadgets");
    assert.match(route.byRepository[GADGETS.uuid]!.skipped ?? "", /branch "feature\/login" is not in the branch filter/);
    // And the other way round: widgets' log never names gadgets (nor its settings).
    assert.ok(!JSON.stringify(widgets).includes("gadgets"), "another repository's name never reaches this repository's log");
    assert.equal(gadgets.items.flatMap((i) => i.jobs).filter((j) => j.handler === "buildkite.report").length, 1);
  });

  it("uninstall removes the links with the rest of the tenant's activity", async () => {
    const { h } = bed;
    await h.services.settings.update(h.tenant.installation.id, GADGETS, "buildkite", { values: { enabled: true, pipelines: ["widgets"], branches: ["release/*"] } }, "test");
    assert.equal((await postWebhook(bed, webhookBody("webhook-build-finished.json", { number: 1, commit: SHA }))).status, 202);
    await settle(h);
    const count = async () => ((await h.services.db.sequelize.query("SELECT delivery_id FROM delivery_repositories"))[0] as unknown[]).length;
    assert.equal(await count(), 1, "acme/gadgets skipped the build: linked");
    await h.services.installations.purge(h.tenant.installation.id);
    assert.equal(await count(), 0);
  });

  it("a dead job of another repository can neither be seen nor replayed from this one", async () => {
    const { h } = bed;
    h.fake.addRepository({ workspace: "acme", slug: GADGETS.slug, uuid: GADGETS.uuid, mainBranch: "main", clientKey: h.tenant.clientKey });
    h.fake.setRepoPermission("acme", GADGETS.slug, ADMIN, "admin");
    await h.services.settings.update(h.tenant.installation.id, GADGETS, "buildkite", { values: { enabled: true, pipelines: ["my-pipeline"] } }, "test");
    h.fake.inject({ method: "POST", path: /gadgets\/commit\/[0-9a-f]+\/statuses\/build$/, status: 503, times: 10_000 });
    assert.equal((await postEventBridge(bed, ebEvent())).status, 202);
    await settle(h);
    const dead = await Job.findOne({ where: { handler: "buildkite.report", status: "dead" } });
    assert.equal(dead?.repositoryUuid, GADGETS.uuid);
    const widgets = await activityOf(bed);
    assert.equal(widgets.total, 0, "the mapping sends this pipeline to acme/gadgets only");
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const replay = await api.post(`/repositories/${encodeURIComponent(h.repo.uuid)}/activity/jobs/${dead!.id}/replay`);
    assert.equal(replay.status, 401, "another repository's job: this page's credential was not issued for it");
    const gadgets = await activityOf(bed, GADGETS);
    assert.equal(gadgets.items[0]?.jobs.find((j) => j.status === "dead")?.id, dead!.id);
  });

  it("Connect webhook door: a Bitbucket delivery is listed with its jobs", async () => {
    const payload = pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: bed.h.repo.uuid, fullName: bed.h.repo.fullName }), SHA);
    assert.equal((await bed.h.webhook("repo:push", payload)).status, 204);
    await waitFor(async () => (await activityOf(bed)).total === 1, "the push in the log");
    const body = await activityOf(bed);
    assert.equal(body.items[0]!.source, "bitbucket");
    assert.equal(body.items[0]!.eventKey, "repo:push");
  });
});

describe("Activity log: the Forge door", () => {
  let f: ForgeHost;
  beforeEach(async () => {
    f = await ForgeHost.start({ registerHandlers: (r) => registerEchoHandler(r) });
    f.fake.setRepoPermission("acme", "widgets", ADMIN, "admin");
  });
  afterEach(() => f.close());

  it("lists the Forge product event and the webhook event it was translated into, with their jobs", async () => {
    const res = await f.event(forgeEvent("avi-bitbucket-push-repository.docs-example.json", f.workspaceUuid, f.h.repo.uuid));
    assert.equal(res.status, 204, res.text);
    await waitFor(async () => (await Job.findOne({ where: { handler: "core.echo", status: "done" } })) ?? false, "echo job done");
    const log = await f.ui("GET", `/repositories/${encodeURIComponent(f.h.repo.uuid)}/activity`, undefined, { module: "settings", principal: ADMIN });
    assert.equal(log.status, 200, log.text);
    const body = log.json<ActivityBody>();
    assert.deepEqual(body.items.map((i) => `${i.source}:${i.eventKey}`).sort(), ["forge:avi:bitbucket:push:repository", "forge:repo:push"]);
    const push = body.items.find((i) => i.eventKey === "repo:push")!;
    assert.ok(push.jobs.some((j) => `${j.handler}:${j.status}` === "core.echo:done"), JSON.stringify(push.jobs));
  });
});
