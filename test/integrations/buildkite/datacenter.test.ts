import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cloneUrlMatcher, dataCenterGitUrlMatches, parseDataCenterGitUrl } from "../../../src/integrations/buildkite/repo-url";
import { buildkite } from "../../../src/integrations/buildkite";
import { ReportedStatusStore, storedKey } from "../../../src/integrations/buildkite/reported-store";
import { buildAlertsIntegration } from "../../../src/integrations/build-alerts";
import { ensureApiKey, ensureWebhookToken } from "../../../src/integrations/buildkite/credentials";
import { dataCenterInstanceId, mintDataCenterRepositoryId } from "../../../src/bitbucket/repository-id";
import { dataCenterClientKey } from "../../../src/datacenter/installations";
import { repositories } from "../../../src/core/repositories";
import { echoPostedStatus } from "../../../src/core/status-echo";
import { Delivery, Job } from "../../../src/models";
import { Harness } from "../../helpers/harness";
import { waitFor } from "../../helpers/fixtures";
import { fakeDataCenter, type DataCenterSetup } from "../../helpers/datacenter";
import { dcBuilds } from "../../fakes/datacenter/routes/builds";
import { FakePagerDuty } from "../../fakes/alerting/pagerduty";
import type { InstallationView } from "../../../src/core/installations";
import { LogCapture, SHA, ebEvent, postEventBridge, postWebhook, startBed, webhookBody, type BuildkiteBed } from "./support";

const BASE = "https://git.example.com/bitbucket";

describe("Buildkite on Data Center: clone URLs", () => {
  const yes = [
    "https://git.example.com/bitbucket/scm/proj/widgets.git",
    "https://git.example.com/bitbucket/scm/PROJ/widgets.git",
    "https://jdoe@git.example.com/bitbucket/scm/proj/widgets.git",
    "https://x-token-auth:secret@git.example.com:443/bitbucket/scm/proj/widgets",
    "http://git.example.com:7990/bitbucket/scm/proj/widgets.git/",
    "ssh://git@git.example.com:7999/proj/widgets.git",
    "ssh://git@Git.Example.com:7999/PROJ/Widgets.git",
    "git@git.example.com:proj/widgets.git",
  ];
  for (const url of yes) it(`matches ${url}`, () => assert.ok(dataCenterGitUrlMatches(url, "PROJ/widgets", BASE)));

  const no = [
    "https://git.example.com/scm/proj/widgets.git", // the context path is missing
    "https://git.example.com/bitbucket/proj/widgets.git", // no scm
    "https://git.example.com/bitbucket/scm/proj/other.git",
    "https://git.example.com/bitbucket/scm/other/widgets.git",
    "https://git.example.com/bitbucket/scm/proj/widgets/extra.git",
    "ssh://git@git.example.com:7999/bitbucket/proj/widgets.git", // SSH has no context path
    "ssh://git@ssh.example.com:7999/proj/widgets.git", // another host
    "git@bitbucket.org:proj/widgets.git",
    "ftp://git.example.com/bitbucket/scm/proj/widgets.git",
    "https://git.example.com/bitbucket/scm/proj/%E0%A4%A.git",
    "",
  ];
  for (const url of no) it(`does not match "${url}"`, () => assert.ok(!dataCenterGitUrlMatches(url, "PROJ/widgets", BASE)));

  it("personal repositories (~user) and an instance without a context path", () => {
    assert.deepEqual(parseDataCenterGitUrl("https://git.example.com/scm/~jdoe/dotfiles.git", "https://git.example.com"), { project: "~jdoe", slug: "dotfiles" });
    assert.ok(dataCenterGitUrlMatches("ssh://git@git.example.com:7999/~jdoe/dotfiles.git", "~JDOE/dotfiles", "https://git.example.com"));
  });

  it("a key longer than the store's column (DC keys reach 255) is stored by its hash; Cloud's keys as they are", () => {
    assert.equal(storedKey("buildkite-my-pipeline"), "buildkite-my-pipeline");
    const long = `buildkite-${"x".repeat(200)}`;
    assert.match(storedKey(long), /^#[0-9a-f]{39}$/);
    assert.notEqual(storedKey(long), storedKey(`${long}y`));
  });

  it("an installation's rules: its DC instance for a DC installation, Cloud's for any other", () => {
    const instances = [{ id: dataCenterInstanceId(BASE), baseUrl: BASE }];
    const dc = cloneUrlMatcher({ hostScope: instances[0]!.id, baseUrl: BASE }, instances);
    assert.ok(dc("ssh://git@git.example.com:7999/proj/widgets.git", "PROJ/widgets"));
    assert.ok(!dc("git@bitbucket.org:proj/widgets.git", "PROJ/widgets"));
    const cloud = cloneUrlMatcher({ hostScope: "{11111111-2222-3333-4444-555555555555}", baseUrl: "https://bitbucket.org" }, instances);
    assert.ok(cloud("git@bitbucket.org:acme/widgets.git", "acme/widgets"));
    assert.ok(!cloud("ssh://git@git.example.com:7999/proj/widgets.git", "PROJ/widgets"));
  });
});

describe("Buildkite on Data Center: a build reaches its repository, its status, and build alerts", function () {
  this.timeout(60_000);
  const ROUTING_KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6";
  const LONG_SLUG = "deploy-widgets-to-production-eu-west-and-us-east"; // 48 characters: hashed on Cloud (40), whole on DC (255)
  let dc: DataCenterSetup;
  let pd: FakePagerDuty;
  let h: Harness;
  let installation: InstallationView;
  let bed: BuildkiteBed;
  let dir: string;
  let repoId: string;
  let sshUrl: string;

  before(async () => {
    dc = await fakeDataCenter();
    pd = await new FakePagerDuty().start();
    pd.routingKeys.add(ROUTING_KEY);
    // Two instances: the fake, and another one the app is configured for (its repositories must not match here).
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-dc-bk-"));
    const file = path.join(dir, "instances.json");
    const inst = (baseUrl: string, name?: string) => ({ baseUrl, token: dc.serviceToken, clientId: "c", clientSecret: "s", ...(name ? { name } : {}) });
    fs.writeFileSync(file, JSON.stringify({ instances: [inst(dc.fake.baseUrl), inst("https://other-git.example.com/bb", "Other DC")] }));
    const logs = new LogCapture();
    h = await Harness.start({ install: false, integrations: [buildkite, buildAlertsIntegration], log: logs.logger, env: { BITBUCKET_DC_INSTANCES_FILE: file } });
    installation = (await h.services.installations.findByClientKey("datacenter", dataCenterClientKey(dataCenterInstanceId(dc.fake.baseUrl))))!;
    repoId = mintDataCenterRepositoryId(dc.fake.baseUrl, dc.repo.id);
    sshUrl = `ssh://git@${new URL(dc.fake.baseUrl).hostname}:7999/proj/widgets.git`;
    const ref = { uuid: repoId, fullName: "PROJ/widgets" };
    await h.services.settings.update(installation.id, ref, "buildkite", { values: { enabled: true } }, "test");
    await h.services.settings.update(
      installation.id,
      ref,
      "build-alerts",
      { values: { enabled: true, pagerdutyEnabled: true, pagerdutyEventsUrl: pd.enqueueUrl }, secrets: { pagerdutyRoutingKey: ROUTING_KEY } },
      "test",
    );
    bed = { h, logs, apiKey: await ensureApiKey(h.services, installation.id), webhookToken: await ensureWebhookToken(h.services, installation.id) };
  });

  after(async () => {
    await h?.close();
    await pd?.close();
    await dc?.fake.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function route(o: Parameters<typeof ebEvent>[1]): Promise<Job> {
    const before = await Job.count({ where: { installationId: installation.id, handler: "buildkite.route" } });
    const res = await postEventBridge(bed, ebEvent("eventbridge-build-finished.json", o), bed.apiKey, installation.id);
    assert.equal(res.status, 202, res.text);
    await h.drained();
    const jobs = await Job.findAll({ where: { installationId: installation.id, handler: "buildkite.route" }, order: [["createdAt", "ASC"]] });
    assert.equal(jobs.length, before + 1);
    return jobs.at(-1)!;
  }

  it("a failed build of the repository's SSH clone URL: the status posted under the whole pipeline slug, the app's own commit-status event, a PagerDuty incident", async () => {
    const job = await route({ repo: sshUrl, state: "failed", slug: LONG_SLUG, commit: SHA, number: 7 });
    assert.equal(job.status, "done", job.lastError ?? job.result ?? "");
    const report = await waitFor(() => Job.findOne({ where: { installationId: installation.id, handler: "buildkite.report", status: "done" } }), "the report job");
    assert.equal(report.repositoryUuid, repoId);
    assert.match(String(report.result), new RegExp(`"key":"buildkite-${LONG_SLUG}"`)); // DC keys hold 255 characters
    const slot = { installationId: installation.id, repositoryUuid: repoId, commit: SHA, key: `buildkite-${LONG_SLUG}` };
    const held = await new ReportedStatusStore(h.services.db).get(slot);
    assert.ok(held?.reportedEventId, "the no-regression slot holds the long key, confirmed");
    // Posted to the fake DC through the real DcBitbucketApi: the repository-based builds resource.
    const onDc = dcBuilds(dc.fake).statuses(SHA).find((b) => b.key === `buildkite-${LONG_SLUG}`);
    assert.equal(onDc?.state, "FAILED");
    assert.equal(onDc?.repositoryId, dc.repo.id);
    // DC sends no build-status webhook: the app stored the commit-status event itself.
    const echoed = await waitFor(() => Delivery.findOne({ where: { installationId: installation.id, source: "relay" } }), "the echoed status event");
    assert.equal(echoed.eventKey, "repo:commit_status_updated");
    assert.equal(echoed.repositoryUuid, repoId);
    const payload = JSON.parse(echoed.payload) as { repository: { full_name: string; links: { html: { href: string } } }; commit_status: Record<string, unknown> };
    assert.equal(payload.repository.full_name, "PROJ/widgets");
    assert.equal(payload.repository.links.html.href, `${dc.fake.baseUrl}/projects/PROJ/repos/widgets/browse`);
    assert.equal(payload.commit_status.state, "FAILED");
    assert.equal(payload.commit_status.key, `buildkite-${LONG_SLUG}`);
    assert.deepEqual(payload.commit_status.commit, { type: "commit", hash: SHA });
    // …which build alerts turned into an incident, keyed as on Cloud.
    const dedup = `bitbucket:PROJ/widgets:main:buildkite-${LONG_SLUG}`;
    await waitFor(() => pd.open.has(`${ROUTING_KEY}|${dedup}`), "the PagerDuty incident");
    assert.match(pd.open.get(`${ROUTING_KEY}|${dedup}`)!.summary, /Build FAILED: PROJ\/widgets main @ 5a74161/);
  });

  it("the same build delivered again posts nothing and makes no second event; a retried post's echo is a duplicate", async () => {
    const before = await Delivery.count({ where: { installationId: installation.id, source: "relay" } });
    const job = await route({ repo: `${dc.fake.baseUrl.replace("://", "://jdoe@")}/scm/proj/widgets.git`, state: "failed", slug: LONG_SLUG, commit: SHA, number: 7 });
    assert.equal(job.status, "done");
    await h.drained();
    const reports = await Job.findAll({ where: { installationId: installation.id, handler: "buildkite.report" }, order: [["createdAt", "ASC"]] });
    assert.match(String(reports.at(-1)!.result), /older than build|already reported/);
    assert.equal(await Delivery.count({ where: { installationId: installation.id, source: "relay" } }), before);
    // A job retried after its post: the echo of the same post (same event id) is stored once.
    const status = { key: "buildkite-x", state: "SUCCESSFUL" as const };
    const first = await echoPostedStatus(h.services, installation, { id: repoId, fullName: "PROJ/widgets" }, SHA, status, "event-1");
    const again = await echoPostedStatus(h.services, installation, { id: repoId, fullName: "PROJ/widgets" }, SHA, status, "event-1");
    assert.equal(first?.duplicate, false);
    assert.equal(again?.duplicate, true);
    assert.equal(again?.deliveryId, first?.deliveryId);
  });

  it("a repository of another configured instance, one the app has not seen, one with Buildkite off: each says why", async () => {
    const other = await route({ repo: "https://other-git.example.com/bb/scm/proj/widgets.git", state: "passed", number: 8 });
    assert.equal(other.status, "ignored");
    assert.match(String(other.result), /no repository with Buildkite enabled matches pipeline .* \(its repository is on the Data Center instance Other DC/);

    const unseen = await route({ repo: sshUrl.replace("widgets", "gadgets"), state: "passed", number: 9 });
    assert.match(String(unseen.result), /the app has not seen PROJ\/gadgets yet/);

    await repositories.remember(installation, { id: mintDataCenterRepositoryId(dc.fake.baseUrl, 9999), displayName: "PROJ/gizmos" });
    const off = await route({ repo: sshUrl.replace("widgets", "gizmos"), state: "passed", number: 10 });
    assert.match(String(off.result), /Buildkite is off for PROJ\/gizmos/);

    const cloudUrl = await route({ repo: "git@bitbucket.org:proj/widgets.git", state: "passed", number: 11 });
    assert.match(String(cloudUrl.result), /no repository with Buildkite enabled matches pipeline my-org\/my-pipeline"?\}?$/);
  });

  /** The DC status of a commit and key once it is in `state` (the worker posts it). */
  async function onDcOnce(commit: string, key: string, state: string) {
    return waitFor(() => dcBuilds(dc.fake).statuses(commit).find((b) => b.key === key && b.state === state), `the ${state} status on DC`);
  }

  it("EventBridge: the running build's status carries its buildNumber, the finished one's its duration in ms too", async () => {
    const commit = "1".repeat(40);
    const started = await postEventBridge(bed, ebEvent("eventbridge-build-started.json", { repo: sshUrl, commit, number: 12 }), bed.apiKey, installation.id);
    assert.equal(started.status, 202, started.text);
    const running = await onDcOnce(commit, "buildkite-my-pipeline", "INPROGRESS");
    assert.equal(running.buildNumber, "12");
    assert.equal(running.duration, undefined, "no duration while it runs");
    const finished = await postEventBridge(bed, ebEvent("eventbridge-build-finished.json", { repo: sshUrl, commit, number: 12, state: "passed" }), bed.apiKey, installation.id);
    assert.equal(finished.status, 202, finished.text);
    const done = await onDcOnce(commit, "buildkite-my-pipeline", "SUCCESSFUL");
    assert.equal(done.buildNumber, "12");
    assert.equal(done.duration, 19_000, "finished_at 06:01:35 UTC − started_at 06:01:16 UTC");
    assert.equal(done.repositoryId, dc.repo.id, "the repository-based builds API");
    await h.drained();
  });

  it("Buildkite webhook: build.running carries the buildNumber, build.finished the duration in ms too", async () => {
    const commit = "2".repeat(40);
    const running = await postWebhook(bed, webhookBody("webhook-build-running.json", { repository: sshUrl, commit, number: 43 }), { sign: {} }, undefined, installation.id);
    assert.equal(running.status, 202, running.text);
    const inProgress = await onDcOnce(commit, "buildkite-widgets", "INPROGRESS");
    assert.deepEqual([inProgress.buildNumber, inProgress.duration], ["43", undefined]);
    const finished = await postWebhook(bed, webhookBody("webhook-build-finished.json", { repository: sshUrl, commit, number: 43, state: "passed" }), { sign: {} }, undefined, installation.id);
    assert.equal(finished.status, 202, finished.text);
    const done = await onDcOnce(commit, "buildkite-widgets", "SUCCESSFUL");
    assert.equal(done.buildNumber, "43");
    assert.equal(done.duration, 1_470_701, "2024-06-02T09:19:17.829Z − 2024-06-02T08:54:47.128Z");
    assert.equal(done.url, "https://buildkite.com/acme/widgets/builds/43");
    await h.drained();
  });

  it("a pipeline slug too long for DC's 450-character URL: the status is posted (no 400) and links the organization's page", async () => {
    const commit = "3".repeat(40);
    const slug = `p${"x".repeat(440)}`;
    const res = await postEventBridge(bed, ebEvent("eventbridge-build-finished.json", { repo: sshUrl, commit, number: 13, state: "passed", slug }), bed.apiKey, installation.id);
    assert.equal(res.status, 202, res.text);
    const done = await waitFor(() => dcBuilds(dc.fake).statuses(commit)[0], "the status on DC");
    assert.equal(done.url, "https://buildkite.com/my-org");
    assert.equal(done.state, "SUCCESSFUL");
    assert.equal(done.buildNumber, "13");
    await h.drained();
    const report = await Job.findOne({ where: { installationId: installation.id, handler: "buildkite.report", repositoryUuid: repoId }, order: [["createdAt", "DESC"]] });
    assert.equal(report?.status, "done", report?.lastError ?? "");
    assert.ok(!dc.fake.calls.some((c) => c.method === "POST" && c.status === 400), "DC never answered 400");
  });
});

describe("Buildkite on Cloud: no echoed status event (Bitbucket Cloud sends its own)", function () {
  this.timeout(30_000);
  it("a reported status stores no `relay` delivery", async () => {
    const bed = await startBed();
    try {
      const res = await postEventBridge(bed, ebEvent("eventbridge-build-finished.json", { state: "failed" }));
      assert.equal(res.status, 202);
      await bed.h.drained();
      const report = await Job.findOne({ where: { handler: "buildkite.report" } });
      assert.equal(report?.status, "done");
      assert.equal(await Delivery.count({ where: { source: "relay" } }), 0);
    } finally {
      await bed.h.close();
    }
  });
});
