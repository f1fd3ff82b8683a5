import assert from "node:assert/strict";
import { AlertsBed, ROUTING_KEY } from "./support";
import { buildAlertsIntegration } from "../../../src/integrations/build-alerts";
import { buildkite } from "../../../src/integrations/buildkite";
import { ensureApiKey, ensureWebhookToken } from "../../../src/integrations/buildkite/credentials";
import { ebEvent, postEventBridge, LogCapture, type BuildkiteBed } from "../buildkite/support";
import { RepoSettingsRecord, type Job } from "../../../src/models";
import { bitbucketWebhook, forRepository } from "../../helpers/fixtures";

const FILE: Record<string, string> = {
  running: "eventbridge-build-started.json",
  failing: "eventbridge-build-failing.json",
  failed: "eventbridge-build-finished.json",
  passed: "eventbridge-build-finished.json",
};

/**
 * One Buildkite event of build `number` on main → the app posts a status → Bitbucket sends it back as
 * `repo:commit_status_updated` (the fake does not send webhooks, so the step sends the status the fake
 * now holds, as Bitbucket's webhook carries it); returns the build-alerts job of that status.
 */
function stepOf(bed: AlertsBed, bk: BuildkiteBed, tick: () => number) {
  return async (state: keyof typeof FILE, number: number, commit: string): Promise<Job> => {
    const at = tick();
    const time = new Date(Date.UTC(2026, 10, 30, 9, 0, at)).toISOString().replace(".000", "");
    const res = await postEventBridge(bk, ebEvent(FILE[state], { state, number, commit, branch: "main", time }));
    assert.equal(res.status, 202, res.text);
    await bed.h.drained();
    const status = bed.h.fake.statuses("acme", "widgets", commit).find((s) => s.key.startsWith("buildkite-"));
    assert.ok(status, `Bitbucket holds a status after ${state}`);
    assert.match(status.name, new RegExp(`#${number}$`));
    const before = await bed.count("build-alerts.commit-status");
    const payload = { ...bed.status(status.state, { at }), commit_status: status };
    assert.equal((await bed.h.webhook("repo:commit_status_updated", payload)).status, 204);
    const jobs = await bed.settled("build-alerts.commit-status", before + 1);
    await bed.h.drained();
    return jobs.at(-1)!;
  };
}

/**
 * Buildkite → the app posts a status → Bitbucket sends it back as `repo:commit_status_updated` →
 * build alerts. The fake Bitbucket does not send webhooks, so each step sends the status the fake
 * now holds, as Bitbucket's webhook carries it.
 */
describe("Build alerts paging policy, end to end from Buildkite (docs/integrations/build-alerts.md#paging-policy)", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let bed: AlertsBed;
  let bk: BuildkiteBed;
  let at = 0;

  beforeEach(async () => {
    bed = await AlertsBed.start({ integrations: [buildkite, buildAlertsIntegration] });
    const id = bed.h.tenant.installation.id;
    await bed.h.services.settings.update(id, { uuid: bed.h.repo.uuid, fullName: bed.h.repo.fullName }, "buildkite", { values: { enabled: true } }, "test");
    await bed.configure({ alertopsEnabled: false, webhookEnabled: false, branches: ["main"] });
    bk = { h: bed.h, logs: new LogCapture(), apiKey: await ensureApiKey(bed.h.services, id), webhookToken: await ensureWebhookToken(bed.h.services, id) };
  });
  afterEach(() => bed.close());

  const step = (state: keyof typeof FILE, number: number, commit: string) => stepOf(bed, bk, () => (at += 10))(state, number, commit);
  const result = (j: Job) => JSON.parse(j.result ?? "null") as Record<string, unknown>;
  const triggers = () => bed.pd.requests.filter((r) => (r.body as { event_action?: string }).event_action === "trigger").length;

  it("default policy: a flaky job that fails, then passes on retry, pages nobody", async () => {
    const commit = "a".repeat(40);
    await step("running", 7, commit);
    const failing = await step("failing", 7, commit);
    assert.equal(failing.status, "ignored");
    assert.match(result(failing).reason as string, /still running/);
    await step("running", 7, commit); // the job retried
    await step("passed", 7, commit);
    assert.equal(bed.pd.requests.length, 0, "PagerDuty heard nothing");
  });

  it("default policy: a FAILED finished main pages once; a new run keeps it open; a later pass resolves it", async () => {
    const c1 = "b".repeat(40);
    await step("running", 8, c1);
    await step("failing", 8, c1);
    assert.equal(triggers(), 0, "not while the build still runs");
    const failed = await step("failed", 8, c1);
    assert.equal(result(failed).action, "open");
    assert.equal(result(failed).phase, "finished");
    assert.equal(triggers(), 1);
    const c2 = "c".repeat(40);
    const rerun = await step("running", 9, c2);
    assert.match(result(rerun).reason as string, /resolves on a later success/);
    assert.equal(bed.pd.open.size, 1, "still paging while the next build runs");
    const passed = await step("passed", 9, c2);
    assert.equal(result(passed).action, "close");
    assert.equal(triggers(), 1, "paged exactly once");
    assert.deepEqual(bed.pd.resolved, [`bitbucket:acme/widgets:main:${bed.h.fake.statuses("acme", "widgets", c2)[0]!.key}`]);
    assert.equal(bed.pd.open.size, 0);
  });

  it("openWhen: failing pages as soon as a job fails; resolveWhen: passedOrRunning resolves when the retry starts", async () => {
    await bed.configure({ alertopsEnabled: false, webhookEnabled: false, branches: ["main"], openWhen: "failing", resolveWhen: "passedOrRunning" });
    const commit = "d".repeat(40);
    await step("running", 10, commit);
    const failing = await step("failing", 10, commit);
    assert.equal(result(failing).action, "open");
    assert.equal(result(failing).phase, "running");
    const retry = await step("running", 10, commit);
    assert.equal(result(retry).action, "close");
    assert.equal(triggers(), 1);
    assert.equal(bed.pd.open.size, 0);
    assert.ok(bed.pd.routingKeys.has(ROUTING_KEY));
  });
});

describe("Build alerts paging policy from the workspace defaults (docs/workspace-defaults.md)", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let bed: AlertsBed;
  afterEach(() => bed.close());

  it("a repository with no settings of its own: Buildkite reports its status, and a FAILED main pages once, only when the build has finished", async () => {
    bed = await AlertsBed.start({ integrations: [buildkite, buildAlertsIntegration] });
    const id = bed.h.tenant.installation.id;
    const settings = bed.h.services.settings;
    await settings.updateDefaults(id, "buildkite", { values: { enabled: true } }, "test");
    await settings.updateDefaults(
      id,
      "build-alerts",
      { values: { enabled: true, pagerdutyEnabled: true, pagerdutyEventsUrl: bed.pd.enqueueUrl, branches: ["main"] }, secrets: { pagerdutyRoutingKey: ROUTING_KEY } },
      "test",
    );
    // The app knows the repository from its events (a push), nothing else.
    const push = forRepository(bitbucketWebhook("repo-push.real-2023.json"), bed.h.repo);
    assert.ok([200, 202, 204].includes((await bed.h.webhook("repo:push", push)).status));
    await bed.h.drained();
    assert.equal(await RepoSettingsRecord.count(), 0, "no settings of its own");
    const bk: BuildkiteBed = { h: bed.h, logs: new LogCapture(), apiKey: await ensureApiKey(bed.h.services, id), webhookToken: await ensureWebhookToken(bed.h.services, id) };
    let at = 0;
    const step = stepOf(bed, bk, () => (at += 10));
    const triggers = () => bed.pd.requests.filter((r) => (r.body as { event_action?: string }).event_action === "trigger").length;
    const commit = "e".repeat(40);
    await step("running", 11, commit);
    await step("failing", 11, commit);
    assert.equal(triggers(), 0, "not while the build still runs");
    await step("failed", 11, commit);
    assert.equal(triggers(), 1, "paged once the build finished failed");
    assert.ok(bed.pd.routingKeys.has(ROUTING_KEY), "with the workspace's routing key");
    assert.equal(await RepoSettingsRecord.count(), 0, "still no settings of its own");
  });
});
