import assert from "node:assert/strict";
import { Harness } from "../../helpers/harness";
import { pruneInsights, reviewInsights } from "../../../src/integrations/review-insights";
import { csvField, toCsv } from "../../../src/integrations/review-insights/csv";
import type { InsightsView } from "../../../src/integrations/review-insights/model";
import { ADMIN, api, DAY, grant, READER, seedHistory } from "./helpers";

const integrations = [{ ...reviewInsights, background: undefined }];
const base = (h: Harness) => `/repositories/${encodeURIComponent(h.repo.uuid)}/insights`;

describe("review insights CSV", () => {
  it("escapes fields as RFC 4180 says and defuses spreadsheet formulas", () => {
    assert.equal(csvField("plain"), "plain");
    assert.equal(csvField('Carol, "QA"'), '"Carol, ""QA"""');
    assert.equal(csvField("two\nlines"), '"two\nlines"');
    assert.equal(csvField("=1+2"), "'=1+2");
    assert.equal(csvField("@SUM(A1)"), "'@SUM(A1)");
    assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField(-3), "-3", "numbers are not text");
    assert.equal(csvField(null), "");
    assert.equal(toCsv([["a", "b"], [1, null]]), "a,b\r\n1,\r\n");
  });
});

describe("review insights CSV download and retention", function () {
  this.timeout(60_000);
  let h: Harness;
  const now = Date.now();
  beforeEach(async () => {
    h = await Harness.start({ integrations, env: { INSIGHTS_RETENTION_DAYS: "90" } });
    grant(h);
    assert.equal((await (await api(h, ADMIN)).put(base(h), { enabled: true })).status, 200);
    await h.drained();
    await seedHistory(h, now);
  });
  afterEach(async () => h.close());

  it("serves each table as a CSV attachment for readers", async () => {
    const reader = await api(h, READER);
    const res = await reader.get(`${base(h)}/csv?days=30&table=reviewers`);
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/csv; charset=utf-8");
    assert.equal(res.headers["content-disposition"], 'attachment; filename="review-insights-acme-widgets-reviewers-30d.csv"');
    assert.equal(res.text, 'reviewer,open_review_requests,reviews_done\r\nBob Reviewer,2,3\r\n"Carol, ""QA"" Reviewer",1,2\r\n');

    const waiting = await reader.get(`${base(h)}/csv?days=30&table=waiting`);
    const lines = waiting.text.trimEnd().split("\r\n");
    assert.equal(lines[0], "pull_request,title,author,opened,waiting_hours,reviewers,url");
    assert.match(lines[1]!, /^20,"Add rate limiting, part 2",Alice Author,\d{4}-[^,]+,240(\.\d+)?,1,https:\/\/bitbucket\.org\/acme\/widgets\/pull-requests\/20$/);
    assert.match(lines[2]!, /^21,"'=HYPERLINK\(""x""\) tidy",Alice Author,/);

    const weekly = await reader.get(`${base(h)}/csv?days=90&table=weekly`);
    assert.equal(weekly.text.split("\r\n")[0], "week_start,first_reviews,first_review_median_hours,first_review_p90_hours,merged,merge_median_hours,merge_p90_hours");
    const mergeRow = weekly.text.split("\r\n").find((l) => /,4,25,79$/.test(l));
    assert.ok(mergeRow, `a week with the 4 merges (median 25 h, p90 79 h):\n${weekly.text}`);
    const age = await reader.get(`${base(h)}/csv?table=open-age`);
    assert.match(age.text, /^age,open_pull_requests\r\nUnder 1 day,0\r\n1–3 days,2\r\n/);
  });

  it("deletes closed pull requests and reviews older than INSIGHTS_RETENTION_DAYS, keeps open ones", async () => {
    const view = async () => (await (await api(h, READER)).get(`${base(h)}?days=90`)).json<InsightsView>();
    const before = await view();
    assert.equal(before.summary.firstReview.count, 6);
    // 32 days on: PR 6 (declined 59 days ago) and its review (60 days ago) are past 90 days.
    const pruned = await pruneInsights(h.services, now + 32 * DAY);
    assert.deepEqual(pruned, { pullRequests: 1, reviews: 1 });
    const after = await view();
    assert.equal(after.summary.firstReview.count, 5);
    assert.equal(after.summary.openPullRequests, before.summary.openPullRequests, "open pull requests stay");
    assert.deepEqual(await pruneInsights(h.services, now + 32 * DAY), { pullRequests: 0, reviews: 0 }, "a second run finds nothing");
  });
});
