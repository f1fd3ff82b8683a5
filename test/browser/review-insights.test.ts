import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { Harness } from "../helpers/harness";
import { reviewInsights } from "../../src/integrations/review-insights";
import { buildUi } from "../../ui/build";
import { ARTIFACTS, embedOnAppOrigin, launchChromium } from "../helpers/browser";
import { assertAxeClean } from "../helpers/axe";
import { ADMIN, api, grant, READER, seedCloud, seedHistory } from "../integrations/review-insights/helpers";

const integrations = [{ ...reviewInsights, background: undefined }];

/** The Connect `repoPages` URL as the descriptor builds it, signed like Bitbucket signs an iframe load. */
function pageUrl(h: Harness, accountId: string): string {
  const q = new URLSearchParams({ repoUuid: h.repo.uuid, repoPath: h.repo.fullName });
  const p = `/connect/insights?${q.toString()}`;
  return `${h.url}${p}&jwt=${encodeURIComponent(h.jwtFor("GET", p, { sub: accountId }))}`;
}

async function open(page: Page, h: Harness, accountId: string): Promise<Frame> {
  await embedOnAppOrigin(
    page,
    h.url,
    `<!doctype html><html lang="en"><body style="margin:0"><iframe id="relay" title="Review insights" src="${pageUrl(h, accountId)}" style="width:100%;height:3600px;border:0"></iframe></body></html>`,
  );
  const frame = await (await page.waitForSelector("#relay")).contentFrame();
  if (!frame) throw new Error("no iframe content");
  return frame;
}

/** Clicks a CSV button and resolves with the downloaded file's name and text. */
async function download(page: Page, frame: Frame, testId: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent("download"), frame.locator(`[data-testid="${testId}"]`).click()]);
  const file = await dl.path();
  return { name: dl.suggestedFilename(), text: fs.readFileSync(file!, "utf8") };
}

describe("review insights page in Chromium", function () {
  this.timeout(120_000);
  let browser: Browser;
  let h: Harness;
  let context: BrowserContext;

  before(async () => {
    await buildUi();
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    h = await Harness.start({ integrations });
    grant(h);
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  });
  afterEach(async () => {
    await context.close();
    await h.close();
  });

  it("shows charts, tables and CSV from seeded history to a reader, axe-clean", async () => {
    assert.equal((await (await api(h, ADMIN)).put(`/repositories/${encodeURIComponent(h.repo.uuid)}/insights`, { enabled: true })).status, 200);
    await h.drained();
    await seedHistory(h, Date.now());
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const frame = await open(page, h, READER);
    await frame.locator('[data-testid="stat-first-review"]').getByText("4.0 h").waitFor();
    assert.match((await frame.textContent('[data-testid="stat-first-review"]')) ?? "", /90th percentile 21\.2 h · 5 pull requests/);
    assert.match((await frame.textContent('[data-testid="stat-merge"]')) ?? "", /25\.0 h.*90th percentile 3\.3 d · 4 merged/);
    // Charts: bars with their values written on them, series told apart by pattern (legend), not colour alone.
    for (const id of ["first-review", "merge", "open-age", "reviewers"]) {
      const chart = frame.locator(`[data-testid="chart-${id}"]`);
      assert.ok((await chart.locator("svg[role=img] rect").count()) > 0, `${id} has bars`);
    }
    assert.ok((await frame.locator('[data-testid="chart-first-review"] pattern').count()) >= 1, "the p90 series is hatched");
    assert.deepEqual(await frame.locator('[data-testid="first-review-legend"] li').allTextContents(), ["Median", "90th percentile"]);
    assert.ok((await frame.locator('[data-testid="chart-merge"] svg text').allTextContents()).includes("25h"), "the merge median is written on its bar");
    // The numbers as tables.
    assert.deepEqual(
      await frame.locator('[data-testid="table-reviewers"] tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll("td"), (c) => c.textContent))),
      [["Bob Reviewer", "2", "3"], ['Carol, "QA" Reviewer', "1", "2"]],
    );
    assert.match((await frame.textContent('[data-testid="table-waiting"] tbody tr:first-child')) ?? "", /#20 Add rate limiting, part 2.*10\.0 d/);
    assert.equal(await frame.locator('[data-testid="insights-on"]').count(), 0, "a reader cannot switch insights");
    // CSV downloads.
    const csv = await download(page, frame, "csv-reviewers");
    assert.equal(csv.name, "review-insights-acme-widgets-reviewers-30d.csv");
    assert.equal(csv.text, 'reviewer,open_review_requests,reviews_done\r\nBob Reviewer,2,3\r\n"Carol, ""QA"" Reviewer",1,2\r\n');
    const weekly = await download(page, frame, "csv-weekly");
    assert.ok(weekly.text.split("\r\n").some((l) => /,4,25,79$/.test(l)), weekly.text);
    // 90 days: PR 6's review two months ago counts.
    await frame.getByLabel("Last 90 days").check();
    await frame.locator('[data-testid="stat-first-review"]').getByText("6 pull requests").waitFor();

    await frame.getByLabel("Last 30 days").check();
    await frame.locator('[data-testid="stat-first-review"]').getByText("5 pull requests").waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "review-insights.png"), fullPage: true });
    assert.ok(fs.statSync(path.join(ARTIFACTS, "review-insights.png")).size > 20_000);
    await assertAxeClean(frame, "the review insights page");
    assert.deepEqual(errors, []);
  });

  it("an admin turns insights on: the backfill's progress shows, then charts and CSV from the history", async () => {
    seedCloud(h, Date.now());
    // One page's activity is slow, so that the progress is on screen while the history is read.
    h.fake.inject({ method: "GET", path: /\/pullrequests\/30\/activity$/, latencyMs: 2_500 });
    const page = await context.newPage();
    const frame = await open(page, h, ADMIN);
    await frame.locator('[data-testid="insights-offline"]').waitFor();
    await assertAxeClean(frame, "the review insights page while off");
    await frame.locator('[data-testid="insights-on"]').click();
    await frame.locator('[data-testid="backfill-progress"]').waitFor();
    assert.match((await frame.textContent('[data-testid="backfill-progress"]')) ?? "", /Reading pull request history from Bitbucket/);
    await page.screenshot({ path: path.join(ARTIFACTS, "review-insights-backfill-progress.png"), fullPage: true });
    await frame.locator('[data-testid="backfill-done"]').waitFor();
    assert.match((await frame.textContent('[data-testid="backfill-done"]')) ?? "", /History read: 45 pull requests/);
    await frame.getByLabel("Last 90 days").check();
    await frame.locator('[data-testid="stat-first-review"]').getByText("45 pull requests").waitFor();
    assert.match((await frame.textContent('[data-testid="stat-first-review"]')) ?? "", /23\.0 h/);
    const csv = await download(page, frame, "csv-reviewers");
    assert.equal(csv.text, 'reviewer,open_review_requests,reviews_done\r\n"Carol, ""QA"" Reviewer",23,0\r\nBob Reviewer,0,45\r\n');
    await page.screenshot({ path: path.join(ARTIFACTS, "review-insights-backfill.png"), fullPage: true });
    await assertAxeClean(frame, "the review insights page after a backfill");
  });
});
