import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { pushPayload, registerEchoHandler } from "../helpers/echo-handler";
import { Job } from "../../src/models";
import { ADMIN, TEST_ID, WRITER, apiAs, grantDefaults, registerTestHandler, repoBase, sessionFor } from "./support";

interface Call {
  target: string;
  method: string;
  status: number | null;
  durationMs: number;
}
interface ActivityJob {
  id: string;
  integration: string;
  status: string;
  attempts: number;
  lastError: string | null;
  reason: string | null;
  replayOf: string | null;
  replayedBy: string | null;
  replays: string[];
  calls: Call[];
}
interface Entry {
  id: string;
  source: string;
  eventKey: string;
  at: number;
  jobs: ActivityJob[];
}
interface ActivityBody {
  page: number;
  pageLen: number;
  total: number;
  canReplay: boolean;
  items: Entry[];
}

const sha = (n: number) => n.toString(16).padStart(40, "a");

describe("Activity log API", () => {
  let h: Harness;
  let base: Record<string, unknown>;
  beforeEach(async () => {
    h = await Harness.start({
      integrations: [], // only the tests' handlers: outcomes stay deterministic whatever ships
      registerHandlers: (r) => {
        registerEchoHandler(r);
        registerTestHandler(r);
      },
    });
    grantDefaults(h);
    base = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName });
  });
  afterEach(() => h.close());

  const settle = () =>
    waitFor(async () => (await Job.count({ where: { status: ["queued", "running", "retrying"] } })) === 0, "jobs settled");

  it("lists deliveries newest first with source, event, per-integration outcome, attempts and outbound calls", async () => {
    await h.webhook("repo:push", pushPayload(base, sha(1)));
    await settle();
    await h.webhook("repo:push", pushPayload(base, sha(2)));
    await settle();
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const res = await api.get(`${repoBase(h)}/activity`);
    assert.equal(res.status, 200, res.text);
    const body = res.json<ActivityBody>();
    assert.equal(body.total, 2);
    assert.equal(body.canReplay, true);
    assert.ok(body.items[0]!.at >= body.items[1]!.at, "newest first");
    const entry = body.items[0]!;
    assert.equal(entry.source, "bitbucket");
    assert.equal(entry.eventKey, "repo:push");
    assert.deepEqual(entry.jobs.map((j) => j.integration).sort(), ["core", TEST_ID]);
    const job = entry.jobs.find((j) => j.integration === TEST_ID)!;
    assert.equal(job.status, "done");
    assert.equal(job.attempts, 1);
    assert.equal(job.calls.length, 1);
    assert.equal(job.calls[0]!.target, "bitbucket");
    assert.equal(job.calls[0]!.method, "POST");
    assert.equal(job.calls[0]!.status, 201);
    assert.ok(job.calls[0]!.durationMs >= 0);
  });

  it("filters by integration and outcome, and pages through history", async () => {
    // The core echo handler dies on a 403; the test integration's call succeeds (one 403 only).
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 403, times: 1 });
    await h.webhook("repo:push", pushPayload(base, sha(1)));
    await settle();
    for (let i = 2; i <= 4; i++) {
      await h.webhook("repo:push", pushPayload(base, sha(i)));
      await settle();
    }
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const dead = (await api.get(`${repoBase(h)}/activity?outcome=dead`)).json<ActivityBody>();
    assert.equal(dead.total, 1);
    assert.ok(dead.items[0]!.jobs.some((j) => j.status === "dead" && /403/.test(j.lastError ?? "")));

    const mine = (await api.get(`${repoBase(h)}/activity?integration=${TEST_ID}`)).json<ActivityBody>();
    assert.equal(mine.total, 4);
    assert.ok(mine.items.every((e) => e.jobs.every((j) => j.integration === TEST_ID)));

    const page1 = (await api.get(`${repoBase(h)}/activity?pageLen=3&page=1`)).json<ActivityBody>();
    const page2 = (await api.get(`${repoBase(h)}/activity?pageLen=3&page=2`)).json<ActivityBody>();
    assert.equal(page1.total, 4);
    assert.equal(page1.items.length, 3);
    assert.equal(page2.items.length, 1);
    assert.ok(!page1.items.some((e) => e.id === page2.items[0]!.id));

    for (const bad of ["outcome=exploded", "pageLen=1000", "page=0", "integration=%3Cscript%3E", "surprise=1"]) {
      const res = await api.get(`${repoBase(h)}/activity?${bad}`);
      assert.equal(res.status, 400, bad);
      assert.match(res.json<{ error: string }>().error, /^invalid query/);
    }
  });

  it("replays a dead job for an admin; the replay is logged with who did it, and a second replay returns the first", async () => {
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 403, times: 2 });
    await h.webhook("repo:push", pushPayload(base, sha(7)));
    await settle();
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const before = (await api.get(`${repoBase(h)}/activity?outcome=dead&integration=${TEST_ID}`)).json<ActivityBody>();
    const dead = before.items[0]!.jobs.find((j) => j.status === "dead")!;
    assert.ok(dead, "a dead job of the test integration");

    const replay = await api.post(`${repoBase(h)}/activity/jobs/${dead.id}/replay`);
    assert.equal(replay.status, 201, replay.text);
    const created = replay.json<{ replayed: boolean; job: { id: string; replayOf: string } }>();
    assert.equal(created.replayed, true);
    assert.equal(created.job.replayOf, dead.id);
    const again = await api.post(`${repoBase(h)}/activity/jobs/${dead.id}/replay`);
    assert.equal(again.status, 200);
    assert.equal(again.json<{ replayed: boolean; job: { id: string } }>().job.id, created.job.id);

    await waitFor(async () => (await Job.findByPk(created.job.id))?.status === "done", "replay done");
    const after = (await api.get(`${repoBase(h)}/activity?integration=${TEST_ID}`)).json<ActivityBody>();
    const jobs = after.items[0]!.jobs;
    const replayed = jobs.find((j) => j.id === created.job.id)!;
    assert.equal(replayed.status, "done");
    assert.equal(replayed.replayOf, dead.id);
    assert.equal(replayed.replayedBy, ADMIN);
    assert.deepEqual(jobs.find((j) => j.id === dead.id)!.replays, [created.job.id]);
    assert.equal(await Job.count({ where: { replayOf: dead.id } }), 1);
  });

  it("refuses replays by non-admins, of jobs that are not dead, and of other repositories' jobs", async () => {
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 403, times: 2 });
    await h.webhook("repo:push", pushPayload(base, sha(8)));
    await settle();
    const dead = (await Job.findOne({ where: { status: "dead" } }))!;
    const writer = apiAs(h, await sessionFor(h, WRITER));
    const view = await writer.get(`${repoBase(h)}/activity`);
    assert.equal(view.status, 200);
    assert.equal(view.json<ActivityBody>().canReplay, false);
    const refused = await writer.post(`${repoBase(h)}/activity/jobs/${dead.id}/replay`);
    assert.equal(refused.status, 403);

    await h.webhook("repo:push", pushPayload(base, sha(9)));
    await settle();
    const done = (await Job.findOne({ where: { status: "done" } }))!;
    const admin = apiAs(h, await sessionFor(h, ADMIN));
    const notDead = await admin.post(`${repoBase(h)}/activity/jobs/${done.id}/replay`);
    assert.equal(notDead.status, 409);

    // A second repository the admin also administers: the job is not its.
    const otherRepo = "{0d0d0d0d-0000-4000-8000-00000000000d}";
    h.fake.addRepository({ workspace: h.tenant.workspace.slug, slug: "other", uuid: otherRepo, clientKey: h.tenant.clientKey });
    h.fake.setRepoPermission(h.tenant.workspace.slug, "other", ADMIN, "admin");
    // A page opened for this repository cannot act on another one at all (its token is misdirected there)…
    assert.equal((await admin.post(`/repositories/${encodeURIComponent(otherRepo)}/activity/jobs/${dead.id}/replay`)).status, 401);
    // …and from the other repository's own page, this repository's job is not its credential's (401).
    const otherAdmin = apiAs(h, await sessionFor(h, ADMIN, h.tenant, { uuid: otherRepo, fullName: `${h.tenant.workspace.slug}/other` }));
    const wrongRepo = await otherAdmin.post(`/repositories/${encodeURIComponent(otherRepo)}/activity/jobs/${dead.id}/replay`);
    assert.equal(wrongRepo.status, 401);
    const otherLog = (await otherAdmin.get(`/repositories/${encodeURIComponent(otherRepo)}/activity`)).json<ActivityBody>();
    assert.equal(otherLog.total, 0, "another repository's log does not show this repository's deliveries");

    assert.equal((await admin.post(`${repoBase(h)}/activity/jobs/not-a-job/replay`)).status, 404);
    assert.equal(await Job.count({ where: { replayOf: dead.id } }), 0);
    const replays = await h.services.db.sequelize.query("SELECT * FROM job_replays", { type: QueryTypes.SELECT });
    assert.equal(replays.length, 0);
  });
});
