import assert from "node:assert/strict";
import { Harness } from "../../helpers/harness";
import { CloudBitbucketApi } from "../../../src/bitbucket/cloud/api";
import { reviewInsights } from "../../../src/integrations/review-insights";
import type { InsightsView } from "../../../src/integrations/review-insights/model";
import { ADMIN, api, DAY, grant, HOUR, PEOPLE, READER, seedCloud, send } from "./helpers";

const integrations = [{ ...reviewInsights, background: undefined }];
const base = (h: Harness) => `/repositories/${encodeURIComponent(h.repo.uuid)}/insights`;

async function view(h: Harness, days = 90): Promise<InsightsView> {
  const res = await (await api(h, READER)).get(`${base(h)}?days=${days}`);
  assert.equal(res.status, 200, res.text);
  return res.json<InsightsView>();
}

describe("review insights backfill from Bitbucket Cloud's history", function () {
  this.timeout(90_000);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ integrations });
    grant(h);
  });
  afterEach(async () => h.close());

  it("reads every page (bounded, newest update first), fails on a page, and resumes from that page's cursor", async () => {
    const now = Date.now();
    seedCloud(h, now);
    // Page 2 fails: PR 25's activity answers 404 (permanent: the run stops as failed at once).
    h.fake.inject({ method: "GET", path: /\/pullrequests\/25\/activity$/, status: 404 });
    const admin = await api(h, ADMIN);
    assert.equal((await admin.put(base(h), { enabled: true })).status, 200);
    await h.drained();
    const failed = (await view(h)).backfill;
    assert.equal(failed.status, "failed");
    assert.equal(failed.pages, 1);
    assert.equal(failed.pullRequests, 20);
    assert.match(failed.error ?? "", /404/);

    assert.equal((await admin.post(`${base(h)}/backfill`)).status, 202);
    await h.drained();
    const v = await view(h);
    assert.equal(v.backfill.status, "done");
    assert.equal(v.backfill.pages, 3);
    assert.equal(v.backfill.pullRequests, 45);

    const lists = h.fake.callsTo("GET", /\/pullrequests$/);
    assert.deepEqual(lists.map((c) => c.query.page), ["1", "2", "2", "3"], "page 1 is not read again after the failure");
    for (const c of lists) {
      assert.deepEqual(c.query.state, ["OPEN", "MERGED", "DECLINED", "SUPERSEDED"]);
      assert.equal(c.query.sort, "-updated_on");
      assert.match(String(c.query.q), /^updated_on > \d{4}-\d\d-\d\dT/);
    }
    assert.equal(h.fake.callsTo("GET", /\/pullrequests\/100\/activity$/).length, 0, "PR 100 was updated before the 90 days");

    // Time to first review: i hours for i = 1..45 → median 23 h, p90 40.6 h; merges: 22 PRs at 24 h.
    assert.deepEqual(v.summary.firstReview, { count: 45, medianMs: 23 * HOUR, p90Ms: 40.6 * HOUR });
    assert.equal(v.summary.merge.count, 22);
    assert.equal(v.summary.merge.medianMs, DAY);
    assert.equal(v.summary.openPullRequests, 23);
    assert.deepEqual(v.reviewers.map((r) => [r.reviewer, r.openRequests, r.reviewsDone]), [
      [PEOPLE.carol.display_name, 23, 0],
      [PEOPLE.bob.display_name, 0, 45],
    ]);
  });

  it("running it again changes nothing (idempotent), and never overrides what a newer event said", async () => {
    const now = Date.now();
    seedCloud(h, now);
    const admin = await api(h, ADMIN);
    assert.equal((await admin.put(base(h), { enabled: true })).status, 200);
    await h.drained();
    const first = await view(h);
    assert.equal(first.backfill.status, "done");
    assert.equal((await admin.post(`${base(h)}/backfill`)).status, 202);
    await h.drained();
    const again = await view(h);
    assert.deepEqual({ ...again, backfill: null, to: null, from: null }, { ...first, backfill: null, to: null, from: null });

    // PR 3 is merged (an event says so) while Cloud's history, read again, still shows it open.
    await send(h, "pullrequest:fulfilled", { id: 3, state: "MERGED", createdAt: now - 5 * DAY, updatedAt: now - 60_000 });
    assert.equal((await admin.post(`${base(h)}/backfill`)).status, 202);
    await h.drained();
    const after = await view(h);
    assert.equal(after.summary.openPullRequests, 22);
    assert.equal(after.summary.merge.count, 23);
    assert.equal(after.reviewers.find((r) => r.reviewer === PEOPLE.carol.display_name)?.openRequests, 22, "a merged PR's requests are not open");
  });

  it("on a host whose API cannot read history yet (pullRequestHistory is optional), the run ends as failed with the reason", async () => {
    // The Cloud API without the optional method: what a door without it (Data Center, until implemented) offers.
    h.services.bitbucketApis.register("connect", (installation) => {
      const cloud = new CloudBitbucketApi(h.services.bitbucketFor(installation), installation);
      return Object.assign(Object.create(CloudBitbucketApi.prototype) as CloudBitbucketApi, cloud, { pullRequestHistory: undefined });
    }, "cloud");
    const admin = await api(h, ADMIN);
    assert.equal((await admin.put(base(h), { enabled: true })).status, 200);
    await h.drained();
    const v = await view(h);
    assert.equal(v.backfill.status, "failed");
    assert.match(v.backfill.error ?? "", /cannot read pull request history here: only events from now on are recorded/);
    assert.equal(v.enabled, true, "events are still captured");
  });
});
