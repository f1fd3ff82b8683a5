import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import YAML from "yaml";
import { Harness } from "../../helpers/harness";
import { reviewInsights } from "../../../src/integrations/review-insights";
import { Job } from "../../../src/models";
import type { InsightsView } from "../../../src/integrations/review-insights/model";
import { ADMIN, api, DAY, grant, HOUR, PEOPLE, READER, seedHistory, send } from "./helpers";

const integrations = [{ ...reviewInsights, background: undefined }];
const base = (h: Harness) => `/repositories/${encodeURIComponent(h.repo.uuid)}/insights`;

const spec = YAML.parse(fs.readFileSync(path.resolve(__dirname, "../../../docs/openapi.yaml"), "utf8")) as { paths: Record<string, unknown> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, "openapi");

/** The view as a reader gets it, checked against docs/openapi.yaml's InsightsView. */
async function view(h: Harness, days = 30, who = READER): Promise<InsightsView> {
  const res = await (await api(h, who)).get(`${base(h)}?days=${days}`);
  assert.equal(res.status, 200, res.text);
  const validate = ajv.getSchema("openapi#/components/schemas/InsightsView")!;
  assert.ok(validate(res.json()), ajv.errorsText(validate.errors));
  return res.json<InsightsView>();
}

async function turnOn(h: Harness): Promise<void> {
  const res = await (await api(h, ADMIN)).put(base(h), { enabled: true });
  assert.equal(res.status, 200, res.text);
  await h.drained();
}

describe("review insights API", function () {
  it("is documented in docs/openapi.yaml", () => {
    for (const p of ["/repositories/{repoUuid}/insights", "/repositories/{repoUuid}/insights/csv", "/repositories/{repoUuid}/insights/backfill"]) assert.ok(spec.paths[p], p);
  });

  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ integrations });
    grant(h);
  });
  afterEach(async () => h.close());

  it("only repository admins switch insights on; readers see the page; bad input is a 400 that changes nothing", async () => {
    const reader = await api(h, READER);
    assert.equal((await reader.put(base(h), { enabled: true })).status, 403);
    assert.equal((await reader.post(`${base(h)}/backfill`)).status, 403);
    const admin = await api(h, ADMIN);
    assert.equal((await admin.put(base(h), { enabled: "yes" })).status, 400);
    assert.equal((await admin.get(`${base(h)}?days=7`)).status, 400);
    assert.equal((await admin.get(`${base(h)}/csv?table=secrets`)).status, 400);
    assert.equal((await view(h)).enabled, false);
    assert.equal((await admin.post(`${base(h)}/backfill`)).status, 409, "nothing to backfill while off");
    await turnOn(h);
    const v = await view(h);
    assert.equal(v.enabled, true);
    assert.equal(v.canAdmin, false, "a reader may not switch it");
    assert.equal(v.backfill.status, "done", "the (empty) history was read when switched on");
    assert.equal((await view(h, 30, ADMIN)).canAdmin, true);
  });

  it("answers the core's \"switched on?\" with its own switch; on Cloud nothing else follows (no Data Center webhook job)", async () => {
    const on = () => h.services.switches.anyOn(h.tenant.installation.id, h.repo.uuid);
    const onIn = async () => h.services.switches.repositoriesOn(h.tenant.installation.id);
    assert.deepEqual([await on(), await onIn()], [false, []]);
    await turnOn(h);
    assert.deepEqual([await on(), await onIn()], [true, [h.repo.uuid]]);
    const off = await (await api(h, ADMIN)).put(base(h), { enabled: false });
    assert.equal(off.status, 200, off.text);
    await h.drained();
    assert.deepEqual([await on(), await onIn()], [false, []]);
    assert.equal(await Job.count({ where: { handler: "datacenter.webhook-sync" } }), 0, "the Cloud door does not react");
    assert.equal(await Job.count({ where: { handler: "datacenter.webhook-repair" } }), 0);
  });

  it("captures nothing while off, then figures from seeded events: medians and p90s over 30 and 90 days", async () => {
    await send(h, "pullrequest:created", { id: 99, createdAt: Date.now() - DAY });
    await turnOn(h);
    const now = Date.now();
    await seedHistory(h, now);
    const v30 = await view(h, 30);
    assert.ok(!v30.waiting.some((p) => p.id === 99), "an event from before insights were on is not stored");
    assert.deepEqual(v30.summary.firstReview, { count: 5, medianMs: 4 * HOUR, p90Ms: 21.2 * HOUR });
    assert.deepEqual(v30.summary.merge, { count: 4, medianMs: 25 * HOUR, p90Ms: 79 * HOUR });
    assert.equal(v30.summary.openPullRequests, 3, "PR 5, 20 and 21 (the draft is left out)");
    assert.deepEqual(
      v30.openAge.filter((b) => b.count > 0).map((b) => [b.id, b.count]),
      [["1-3d", 2], ["1-2w", 1]],
    );
    assert.deepEqual(v30.waiting.map((p) => [p.id, p.reviewers]), [[20, 1], [21, 2]]);
    assert.deepEqual(v30.reviewers, [
      { reviewer: PEOPLE.bob.display_name, openRequests: 2, reviewsDone: 3 },
      { reviewer: PEOPLE.carol.display_name, openRequests: 1, reviewsDone: 2 },
    ]);
    // Weekly figures: every sample lands in the week (Monday UTC) of its review or merge.
    assert.equal(v30.weeks.reduce((n, w) => n + w.firstReview.count, 0), 5);
    assert.equal(v30.weeks.reduce((n, w) => n + w.merge.count, 0), 4);
    const monday = (ms: number) => {
      const d = new Date(ms);
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7))).toISOString().slice(0, 10);
    };
    const mergeWeek = v30.weeks.find((w) => w.weekStart === monday(now - 10 * 60_000))!;
    assert.deepEqual(mergeWeek.merge, { count: 4, medianMs: 25 * HOUR, p90Ms: 79 * HOUR });
    assert.ok(v30.weeks.length >= 5 && v30.weeks.length <= 6, `${v30.weeks.length} weeks in 30 days`);

    const v90 = await view(h, 90);
    assert.deepEqual(v90.summary.firstReview, { count: 6, medianMs: 4 * HOUR, p90Ms: 19 * HOUR }, "PR 6's review 60 days ago counts over 90 days");
    assert.deepEqual(v90.reviewers.find((r) => r.reviewer === PEOPLE.bob.display_name), { reviewer: PEOPLE.bob.display_name, openRequests: 2, reviewsDone: 4 });
  });

  it("is idempotent under redelivery: the same event twice, or again with a new delivery id, counts once", async () => {
    await turnOn(h);
    const created = Date.now() - 5 * HOUR;
    const pr = { id: 7, createdAt: created, reviewers: [{ who: PEOPLE.bob }] };
    await send(h, "pullrequest:created", pr);
    const approved = { ...pr, updatedAt: created + 2 * HOUR, reviewers: [{ who: PEOPLE.bob, state: "approved" as const }] };
    const uuid = randomUUID();
    await send(h, "pullrequest:approved", approved, { who: PEOPLE.bob, at: created + 2 * HOUR }, uuid);
    await send(h, "pullrequest:approved", approved, { who: PEOPLE.bob, at: created + 2 * HOUR }, uuid);
    await send(h, "pullrequest:approved", approved, { who: PEOPLE.bob, at: created + 2 * HOUR });
    // An older event arriving late does not undo the approval.
    await send(h, "pullrequest:created", pr);
    const v = await view(h);
    assert.deepEqual(v.summary.firstReview, { count: 1, medianMs: 2 * HOUR, p90Ms: 2 * HOUR });
    assert.deepEqual(v.reviewers, [{ reviewer: PEOPLE.bob.display_name, openRequests: 0, reviewsDone: 1 }]);
  });
});
