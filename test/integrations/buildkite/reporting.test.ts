import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { ReportedStatusStore } from "../../../src/integrations/buildkite/reported-store";
import { startBed, ebEvent, postEventBridge, settle, jobsOf, statusesOf, statusPosts, type BuildkiteBed } from "./support";

/** A distinct full SHA per case, so each case has its own status slot. */
const sha = (n: number) => n.toString(16).padStart(40, "0").replace(/^0/, "a");
const at = (sec: number) => new Date(Date.UTC(2024, 7, 19, 5, 0, sec)).toISOString().replace(".000", "");

async function send(bed: BuildkiteBed, file: string, o: Parameters<typeof ebEvent>[1]) {
  const res = await postEventBridge(bed, ebEvent(file, o));
  assert.equal(res.status, 202, res.text);
}

describe("Buildkite statuses: states, no regression, Bitbucket failures", () => {
  let bed: BuildkiteBed;
  before(async () => {
    bed = await startBed({ enabled: true });
  });
  after(async () => {
    await bed.h.close();
  });

  const cases: Array<[string, string, string, string | null]> = [
    // [detail-type fixture, build.state, expected Bitbucket state, description fragment]
    ["eventbridge-build-created.json", "scheduled", "INPROGRESS", "scheduled"],
    ["eventbridge-build-created.json", "creating", "INPROGRESS", "created"],
    ["eventbridge-build-started.json", "started", "INPROGRESS", "running"],
    ["eventbridge-build-started.json", "running", "INPROGRESS", "running"],
    ["eventbridge-build-failing.json", "failing", "FAILED", "failing"],
    ["eventbridge-build-finished.json", "passed", "SUCCESSFUL", "passed"],
    ["eventbridge-build-finished.json", "failed", "FAILED", "failed"],
    ["eventbridge-build-finished.json", "canceling", "STOPPED", "canceling"],
    ["eventbridge-build-finished.json", "canceled", "STOPPED", "canceled"],
    ["eventbridge-build-blocked.json", "blocked", "SUCCESSFUL", "blocked"],
    ["eventbridge-build-finished.json", "skipped", "STOPPED", "skipped"],
    ["eventbridge-build-finished.json", "not_run", "STOPPED", "not run"],
  ];
  cases.forEach(([file, state, expected, text], i) => {
    it(`maps ${state} (${file}) to ${expected}`, async () => {
      const commit = sha(100 + i);
      await send(bed, file, { commit, state, number: 500 + i });
      await settle(bed.h);
      const [status] = statusesOf(bed, commit);
      assert.ok(status, `a status for ${state}`);
      assert.equal(status.state, expected);
      assert.match(status.name, new RegExp(`^Buildkite: [a-z-]+ #${500 + i}$`));
      assert.match(status.url, new RegExp(`^https://buildkite\\.com/[a-z-]+/[a-z-]+/builds/${500 + i}$`));
      if (text) assert.match(status.description.toLowerCase(), new RegExp(text.split(" ")[0]!));
    });
  });

  it("reports a blocked build whose earlier steps failed as FAILED, and a Build Blocked event without state as blocked", async () => {
    await send(bed, "eventbridge-build-blocked.json", { commit: sha(200), blockedState: "failed", number: 1 });
    await send(bed, "eventbridge-build-blocked.json", { commit: sha(201), state: null, detailType: "Build Blocked", number: 1 });
    await settle(bed.h);
    assert.equal(statusesOf(bed, sha(200))[0]!.state, "FAILED");
    assert.equal(statusesOf(bed, sha(201))[0]!.state, "SUCCESSFUL");
    assert.match(statusesOf(bed, sha(201))[0]!.description, /blocked/);
  });

  it("reports blocked as INPROGRESS when the repository chooses blockedAs INPROGRESS", async () => {
    const id = bed.h.tenant.installation.id;
    await bed.h.services.settings.update(id, { uuid: bed.h.repo.uuid }, "buildkite", { values: { blockedAs: "INPROGRESS" } }, "test");
    try {
      await send(bed, "eventbridge-build-blocked.json", { commit: sha(202), number: 1 });
      await settle(bed.h);
      assert.equal(statusesOf(bed, sha(202))[0]!.state, "INPROGRESS");
    } finally {
      await bed.h.services.settings.update(id, { uuid: bed.h.repo.uuid }, "buildkite", { values: { blockedAs: "SUCCESSFUL" } }, "test");
    }
  });

  it("never lets an older state of the same build overwrite a newer one (Build Started after Build Finished)", async () => {
    const commit = sha(300);
    await send(bed, "eventbridge-build-finished.json", { commit, number: 10, state: "passed", time: at(30) });
    await settle(bed.h);
    const posts = statusPosts(bed).length;
    await send(bed, "eventbridge-build-started.json", { commit, number: 10, time: at(5) });
    await send(bed, "eventbridge-build-created.json", { commit, number: 10, time: at(1) });
    await settle(bed.h);
    assert.equal(statusPosts(bed).length, posts, "no POST for the stale events");
    const [status] = statusesOf(bed, commit);
    assert.equal(status!.state, "SUCCESSFUL");
    const slot = { installationId: bed.h.tenant.installation.id, repositoryUuid: bed.h.repo.uuid, commit, key: "buildkite-my-pipeline" };
    const recorded = await new ReportedStatusStore(bed.h.services.db).get(slot);
    assert.equal(recorded!.buildNumber, 10);
    assert.equal(recorded!.buildState, "passed");
    assert.equal(recorded!.reportedEventId, recorded!.eventId, "Bitbucket confirmed the newest event");
    const reports = (await jobsOf("buildkite.report")).slice(-2);
    for (const r of reports) {
      assert.equal(r.status, "ignored");
      assert.match(JSON.stringify(r.result), /older than build #10 \(passed\)/);
    }
  });

  it("orders events of the same second by lifecycle (finished wins over started)", async () => {
    const commit = sha(301);
    await send(bed, "eventbridge-build-finished.json", { commit, number: 3, state: "failed", time: at(9) });
    await settle(bed.h);
    await send(bed, "eventbridge-build-started.json", { commit, number: 3, time: at(9) });
    await settle(bed.h);
    assert.equal(statusesOf(bed, commit)[0]!.state, "FAILED");
  });

  it("never lets a lower build number overwrite a higher one under the same key", async () => {
    const commit = sha(302);
    await send(bed, "eventbridge-build-finished.json", { commit, number: 21, state: "passed", time: at(10) });
    await settle(bed.h);
    await send(bed, "eventbridge-build-finished.json", { commit, number: 20, state: "failed", time: at(50) });
    await settle(bed.h);
    const [status] = statusesOf(bed, commit);
    assert.equal(status!.state, "SUCCESSFUL");
    assert.equal(status!.name, "Buildkite: my-pipeline #21");
    await send(bed, "eventbridge-build-started.json", { commit, number: 22, time: at(5) });
    await settle(bed.h);
    assert.equal(statusesOf(bed, commit)[0]!.name, "Buildkite: my-pipeline #22", "a re-run (higher number) overwrites");
    assert.equal(statusesOf(bed, commit).length, 1, "one status per pipeline and commit");
  });

  it("moves a retried job forward: failed → running → passed on the same build", async () => {
    const commit = sha(303);
    await send(bed, "eventbridge-build-finished.json", { commit, number: 30, state: "failed", time: at(10) });
    await settle(bed.h);
    assert.equal(statusesOf(bed, commit)[0]!.state, "FAILED");
    await send(bed, "eventbridge-build-started.json", { commit, number: 30, state: "running", time: at(20) });
    await settle(bed.h);
    assert.equal(statusesOf(bed, commit)[0]!.state, "INPROGRESS");
    await send(bed, "eventbridge-build-finished.json", { commit, number: 30, state: "passed", time: at(40) });
    await settle(bed.h);
    assert.equal(statusesOf(bed, commit)[0]!.state, "SUCCESSFUL");
  });

  it("ends in the newest state when a burst of the same build arrives in reverse order", async () => {
    const commit = sha(304);
    const order: Array<[string, string, number]> = [
      ["eventbridge-build-finished.json", "passed", 50],
      ["eventbridge-build-failing.json", "failing", 30],
      ["eventbridge-build-started.json", "started", 20],
      ["eventbridge-build-created.json", "scheduled", 10],
    ];
    await Promise.all(order.map(([file, state, s]) => send(bed, file, { commit, number: 40, state, time: at(s) })));
    await settle(bed.h);
    assert.equal(statusesOf(bed, commit)[0]!.state, "SUCCESSFUL");
  });

  it("retries when Bitbucket answers 503, and reports once it recovers", async () => {
    const commit = sha(400);
    bed.h.fake.inject({ method: "POST", path: /\/statuses\/build$/, status: 503, times: 4 });
    await send(bed, "eventbridge-build-finished.json", { commit, number: 1, state: "passed" });
    await settle(bed.h);
    assert.equal(statusesOf(bed, commit)[0]!.state, "SUCCESSFUL");
    const posts = statusPosts(bed).filter((c) => c.path.includes(commit));
    assert.deepEqual(posts.map((c) => c.status), [503, 503, 503, 503, 201]);
    const report = (await jobsOf("buildkite.report")).at(-1)!;
    assert.equal(report.status, "done");
  });

  it("waits as Bitbucket's Retry-After says on 429", async () => {
    const commit = sha(401);
    bed.h.fake.inject({ method: "POST", path: /\/statuses\/build$/, status: 429, times: 1, retryAfter: 1 });
    await send(bed, "eventbridge-build-finished.json", { commit, number: 1, state: "failed" });
    await settle(bed.h);
    const posts = statusPosts(bed).filter((c) => c.path.includes(commit));
    assert.deepEqual(posts.map((c) => c.status), [429, 201]);
    assert.equal(statusesOf(bed, commit)[0]!.state, "FAILED");
  });

  it("gives up (dead job, replayable) when Bitbucket keeps failing", async () => {
    const commit = sha(402);
    bed.h.fake.inject({ method: "POST", path: /\/statuses\/build$/, status: 500, times: 100 });
    try {
      await send(bed, "eventbridge-build-finished.json", { commit, number: 1, state: "passed" });
      await settle(bed.h);
      const report = (await jobsOf("buildkite.report")).at(-1)!;
      assert.equal(report.status, "dead");
      assert.match(report.lastError ?? "", /bitbucket answered 500/);
      assert.equal(statusesOf(bed, commit).length, 0);
    } finally {
      bed.h.fake.clearInjections();
    }
  });

  it("forgets the reported-status state when the tenant uninstalls", async () => {
    const count = async () =>
      Number(
        ((await bed.h.services.db.sequelize.query("SELECT COUNT(*) AS n FROM buildkite_reported_statuses", { type: QueryTypes.SELECT })) as Array<{ n: number | string }>)[0]!.n,
      );
    assert.ok((await count()) > 0);
    await bed.h.services.installations.purge(bed.h.tenant.installation.id);
    assert.equal(await count(), 0);
  });
});
