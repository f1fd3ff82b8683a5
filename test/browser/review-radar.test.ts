import http from "node:http";
import type { AddressInfo } from "node:net";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, type Frame, type Page } from "playwright-core";
import { Harness } from "../helpers/harness";
import { reviewRadar } from "../../src/integrations/review-radar";
import { buildUi } from "../../ui/build";
import { addPr, ago, DAY, panelUrl, PEOPLE } from "../integrations/review-radar/helpers";
import { ARTIFACTS, embedOnAppOrigin, launchChromium } from "../helpers/browser";
import { assertAxeClean } from "../helpers/axe";

const integrations = [{ ...reviewRadar, background: undefined }];

/** Loads the panel the way Bitbucket does: an iframe whose URL carries a signed `jwt`. */
async function loadInIframe(page: Page, src: string): Promise<Frame> {
  await embedOnAppOrigin(
    page,
    src,
    `<!doctype html><html><body style="margin:0;background:#f7f8f9">
       <div style="width:360px;margin:16px;background:#fff;border:1px solid #dfe1e6">
         <iframe id="panel" src="${src}" style="width:100%;height:720px;border:0"></iframe>
       </div></body></html>`,
  );
  const handle = await page.waitForSelector("#panel");
  const frame = await handle.contentFrame();
  if (!frame) throw new Error("no iframe content");
  return frame;
}

describe("review radar panel in Chromium", function () {
  this.timeout(90_000);
  let browser: Browser;
  let h: Harness;
  let context: BrowserContext;

  before(async () => {
    await buildUi();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    h = await Harness.start({ integrations });
    context = await browser.newContext({ viewport: { width: 420, height: 800 } });
  });
  afterEach(async () => {
    await context.close(); // first: open keep-alive connections would hold the app's server open
    await h.close();
  });

  it("cannot be framed by an origin that is not Bitbucket's (CSP frame-ancestors)", async () => {
    const foreign = http.createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(`<!doctype html><iframe id="panel" src="${h.url}${panelUrl(h)}"></iframe>`);
    });
    await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
    try {
      const page = await context.newPage();
      const refused = page.waitForEvent("console", { predicate: (m) => /frame-ancestors/.test(m.text()) });
      // localhost and 127.0.0.1 are different origins: the app's page is the only one on `h.url`.
      await page.goto(`http://localhost:${(foreign.address() as AddressInfo).port}/`);
      assert.match((await refused).text(), /frame-ancestors 'self' [^"]*"[^]*blocked/);
      assert.equal(await page.frames()[1]?.$('[data-testid="section-needsYourReview"]'), null, "no panel rendered");
    } finally {
      foreign.closeAllConnections();
      await new Promise<void>((resolve) => foreign.close(() => resolve()));
    }
  });

  it("shows the sections, ages, approvals and failing builds, and saves a screenshot", async () => {
    const reviewer = (who: typeof PEOPLE.bob, approved = false) => ({ user: who, role: "REVIEWER" as const, approved, state: approved ? ("approved" as const) : null });
    addPr(h, { id: 11, title: "Add rate limiting to the public API", created_on: ago(0.5 * DAY), participants: [reviewer(PEOPLE.viewer), reviewer(PEOPLE.bob)] });
    addPr(h, { id: 12, title: "Migrate billing jobs to the new queue", created_on: ago(2.4 * DAY), participants: [reviewer(PEOPLE.bob, true), reviewer(PEOPLE.carol)] });
    addPr(h, { id: 13, title: "Remove the legacy exporter", created_on: ago(5 * DAY), participants: [reviewer(PEOPLE.carol)] });
    addPr(h, { id: 14, title: "Fix flaky upload test", participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: false, state: "changes_requested" }] });
    addPr(h, { id: 15, title: "My refactoring of the settings page", author: PEOPLE.viewer, participants: [reviewer(PEOPLE.bob)] });
    addPr(h, { id: 16, title: "WIP: dark mode", draft: true });
    const client = h.services.bitbucketFor(h.tenant.installation);
    const { sha } = await import("../integrations/review-radar/helpers");
    await client.post(`/2.0/repositories/acme/widgets/commit/${sha(13)}/statuses/build`, { key: "ci", state: "FAILED", name: "CI", url: "https://ci.example/13" });

    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const frame = await loadInIframe(page, `${h.url}${panelUrl(h)}`);
    await frame.waitForSelector('[data-testid="section-needsYourReview"]');

    assert.match((await frame.textContent('[data-testid="section-needsYourReview"]')) ?? "", /Add rate limiting/);
    const needs = frame.locator('[data-testid="section-needsReview"] [data-testid^="pr-"]');
    assert.deepEqual(await needs.evaluateAll((els) => els.map((e) => e.getAttribute("data-testid"))), ["pr-13", "pr-12"], "oldest first");
    assert.equal(await frame.getAttribute('[data-testid="pr-13"] [data-testid="age"]', "data-level"), "alert");
    assert.equal(await frame.getAttribute('[data-testid="pr-12"] [data-testid="age"]', "data-level"), "warn");
    assert.match((await frame.textContent('[data-testid="pr-12"] [data-testid="approvals"]')) ?? "", /1\/2/);
    assert.deepEqual(
      await frame.locator('[data-testid="pr-12"] [data-testid="reviewer"]').evaluateAll((els) => els.map((e) => `${e.getAttribute("data-name")}:${e.getAttribute("data-state")}`)),
      ["Bob Reviewer:approved", "Carol Reviewer:pending"],
      "who acted first",
    );
    assert.equal(await frame.getByRole("img", { name: "Bob Reviewer approved" }).count(), 1, "the avatar's accessible name says who and what");
    assert.match((await frame.textContent('[data-testid="section-waitingOnAuthor"]')) ?? "", /Fix flaky upload test/);
    assert.match((await frame.textContent('[data-testid="section-yours"]')) ?? "", /My refactoring/);
    assert.match((await frame.textContent('[data-testid="section-drafts"]')) ?? "", /dark mode/);
    const href = await frame.getAttribute('[data-testid="pr-13"] a[data-testid="title-link"]', "href");
    assert.ok(href?.endsWith("/acme/widgets/pull-requests/13"));

    await page.screenshot({ path: path.join(ARTIFACTS, "review-radar-sections.png"), fullPage: true });
    assert.ok(fs.statSync(path.join(ARTIFACTS, "review-radar-sections.png")).size > 5000);

    // Build statuses arrive in a second call; the failing build is marked.
    await frame.waitForSelector('[data-testid="pr-13"] [data-testid="build"][data-state="FAILED"]');
    assert.match((await frame.textContent('[data-testid="pr-13"] [data-testid="build"]')) ?? "", /failing/);

    await page.screenshot({ path: path.join(ARTIFACTS, "review-radar.png"), fullPage: true });
    assert.ok(fs.statSync(path.join(ARTIFACTS, "review-radar.png")).size > 5000);
    await assertAxeClean(frame, "the review radar panel");
    assert.deepEqual(errors, []);
  });

  it("shows a designed empty state", async () => {
    addPr(h, { id: 1, participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: true, state: "approved" }, { user: PEOPLE.carol, role: "REVIEWER", approved: true, state: "approved" }] });
    const page = await context.newPage();
    const frame = await loadInIframe(page, `${h.url}${panelUrl(h)}`);
    await frame.waitForSelector('[data-testid="empty"]');
    assert.match((await frame.textContent('[data-testid="empty"]')) ?? "", /Nothing waiting for review/);
    assert.match((await frame.textContent('[data-testid="empty"]')) ?? "", /All 1 open pull request has the 2 approvals needed/);
    await page.screenshot({ path: path.join(ARTIFACTS, "review-radar-empty.png"), fullPage: true });
  });

  it("shows an error state with a retry when Bitbucket fails, and recovers", async () => {
    addPr(h, { id: 1, title: "Needs eyes" });
    h.fake.inject({ method: "GET", path: /\/pullrequests$/, status: 503, times: 3 });
    const page = await context.newPage();
    const frame = await loadInIframe(page, `${h.url}${panelUrl(h)}`);
    await frame.waitForSelector('[data-testid="review-radar"][data-state="error"]');
    // The error notice is a lazily loaded chunk: wait for its title, never read at once.
    await frame.locator('[data-testid="review-radar"]').getByText("Review radar is unavailable").waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "review-radar-error.png"), fullPage: true });
    await frame.getByRole("button", { name: "Try again" }).click();
    await frame.waitForSelector('[data-testid="section-needsReview"]');
    assert.match((await frame.textContent('[data-testid="section-needsReview"]')) ?? "", /Needs eyes/);
  });
});
