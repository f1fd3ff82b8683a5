import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { type Browser, type Frame, type Page } from "playwright-core";
import { Harness } from "../helpers/harness";
import { bitbucketJwt } from "../helpers/jwt";
import { ARTIFACTS, embedOnAppOrigin, launchChromium } from "../helpers/browser";
import { assertAxeClean } from "../helpers/axe";
import { buildUi } from "../../ui/build";
import { buildkite } from "../../src/integrations/buildkite";
import { ensureWebhookToken } from "../../src/integrations/buildkite/credentials";
import { integrationDefinitions } from "../../src/settings/registry";
import { postWebhook, webhookBody } from "../integrations/buildkite/support";
import { ADMIN, grantDefaults, registerTestHandler, settingsPagePath } from "../web/support";

/**
 * The guided settings page (issue 18, item 2 and 4) in headless Chromium at 1100 px wide, embedded
 * as Bitbucket embeds it: compact when everything is off, grouped and explained when switched on,
 * a setup checklist that turns green when a real signed Buildkite event arrives, axe-core clean,
 * usable with the keyboard alone.
 */
describe("Guided settings page in a browser", function () {
  this.timeout(120_000);
  let h: Harness;
  let browser: Browser;
  let page: Page;

  before(async () => {
    await buildUi();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    h = await Harness.start({ integrations: [buildkite], registerHandlers: (r) => registerTestHandler(r) });
    grantDefaults(h);
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  });
  afterEach(async () => {
    await page?.close();
    await h?.close();
  });

  /** Embeds the page like Bitbucket's repository settings do and returns the iframe's frame once it is ready. */
  async function open(): Promise<Frame> {
    const pathAndQuery = settingsPagePath(h);
    const jwt = bitbucketJwt("GET", pathAndQuery, { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: ADMIN });
    const src = `${h.url}${pathAndQuery}&jwt=${encodeURIComponent(jwt)}`;
    await embedOnAppOrigin(page, h.url, `<!doctype html><html><body style="margin:0"><iframe id="relay" title="Bitbucket Relay" src="${src}" style="width:100%;height:3000px;border:0"></iframe></body></html>`);
    const frame = await (await page.locator("#relay").elementHandle())!.contentFrame();
    assert.ok(frame);
    await frame.locator('[data-testid="settings-page"][data-state="ready"]').waitFor();
    return frame;
  }

  /** The page's content height inside the iframe (to the bottom of its root element), in CSS pixels. */
  const height = (frame: Frame) => frame.evaluate(() => Math.ceil(document.getElementById("root")!.getBoundingClientRect().bottom + window.scrollY));

  /** A screenshot of the whole page (the iframe resized to its content) under test-artifacts/. */
  async function shot(frame: Frame, name: string): Promise<void> {
    const h = await height(frame);
    await page.setViewportSize({ width: 1100, height: Math.min(h, 6000) });
    await page.locator("#relay").evaluate((el, px) => ((el as HTMLIFrameElement).style.height = `${px}px`), h);
    const file = path.join(ARTIFACTS, `settings-guided-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(fs.statSync(file).size > 1000, `screenshot ${name} written`);
  }

  it("shows every integration switched off as one line and its switch: under 1,500 px tall at 1100 px wide, axe clean", async () => {
    const frame = await open();
    const ids = integrationDefinitions().map((d) => d.id);
    for (const id of ids) {
      const card = frame.locator(`[data-testid="card-${id}"][data-enabled="false"]`);
      await card.waitFor();
      assert.equal(await card.locator('[data-testid^="fieldrow-"]').count(), 0, `${id}: no fields while off`);
      assert.equal(await card.locator(`[data-testid="save-${id}"]`).count(), 0, `${id}: no save button while off`);
      assert.equal(await card.locator('input[role="switch"], input[type="checkbox"]').count(), 1, `${id}: its switch`);
    }
    const px = await height(frame);
    await shot(frame, "all-off");
    assert.ok(px < 1500, `the page with everything off is ${px} px tall`);
    await assertAxeClean(frame, "the settings page with everything off");
  });

  it("switched on, a card shows grouped fields with help, placeholders and labels people know", async () => {
    const frame = await open();
    await frame.locator('[data-testid="toggle-review-radar--input"]').check({ force: true });
    const radar = frame.locator('[data-testid="card-review-radar"]');
    await radar.getByRole("heading", { name: "When reminders go out" }).waitFor();
    await radar.getByRole("heading", { name: "What to report" }).waitFor();
    // Values as labels: weekday names, not 1…7; drafts "Shown separately", not "separate".
    const days = radar.getByRole("group", { name: "Days" });
    for (const day of ["Monday", "Friday", "Sunday"]) await days.getByLabel(day).waitFor();
    assert.equal(await days.getByLabel("Monday").isChecked(), true);
    assert.equal(await days.getByLabel("Saturday").isChecked(), false);
    assert.equal(await radar.getByRole("group", { name: "Draft pull requests" }).getByLabel("Shown separately").isChecked(), true);
    assert.equal(await radar.locator("#review-radar-timeZone").getAttribute("placeholder"), "Europe/Berlin");
    await radar.getByText("A pull request needs review while it has fewer approvals than this.").waitFor();

    // Saving a weekday choice stores numbers in weekday order, whatever order they were ticked in.
    await days.getByLabel("Monday").uncheck();
    await days.getByLabel("Saturday").check();
    await frame.locator('[data-testid="save-review-radar"]').click();
    await radar.locator('[data-testid="saved"]').waitFor();
    const stored = (await h.services.settings.get(h.tenant.installation.id, h.repo.uuid, "review-radar")) as { weekdays: number[]; enabled: boolean };
    assert.deepEqual(stored.weekdays, [2, 3, 4, 5, 6]);
    assert.equal(stored.enabled, true);

    await frame.locator('[data-testid="toggle-eventbridge-out--input"]').check({ force: true });
    const events = frame.locator('[data-testid="card-eventbridge-out"]').getByRole("group", { name: "Events to forward" });
    await events.getByLabel("Pull requests (created, updated, approved, merged, declined)").waitFor();
    assert.equal(await frame.locator('[data-testid="card-eventbridge-out"]').getByText("pull_request", { exact: true }).count(), 0);
    await shot(frame, "cards-on");
    await assertAxeClean(frame, "the settings page with cards switched on");
  });

  it("turns the Buildkite checklist green after a real signed test event, and links to its activity", async () => {
    const frame = await open();
    await frame.locator('[data-testid="toggle-buildkite--input"]').check({ force: true });
    await frame.locator('[data-testid="save-buildkite"]').click();
    const card = frame.locator('[data-testid="card-buildkite"][data-enabled="true"]');
    await card.locator('[data-testid="saved"]').waitFor();
    const setup = card.locator('[data-testid="setup-buildkite"]');
    await setup.locator('[data-testid="setup-step-enabled"][data-done="true"]').waitFor();
    await setup.locator('[data-testid="setup-step-event"][data-done="false"]').waitFor();
    assert.equal(await setup.getAttribute("data-complete"), "false");
    await shot(frame, "checklist-waiting");

    // Buildkite's webhook, signed with the token the card shows, for a build of this repository.
    const webhookToken = await ensureWebhookToken(h.services, h.tenant.installation.id);
    const res = await postWebhook({ h, webhookToken, apiKey: "", logs: undefined as never }, webhookBody("webhook-build-finished.json"));
    assert.equal(res.status, 202, res.text);

    // The page asks again on its own: wait for the state asserted.
    await card.locator('[data-testid="setup-buildkite"][data-complete="true"]').waitFor();
    await setup.locator('[data-testid="setup-step-paste"][data-done="true"]').waitFor();
    await setup.locator('[data-testid="setup-step-event"][data-done="true"]').waitFor();
    // The line is rendered by a later poll than the step's state: wait for it, never read it at once.
    await setup.locator('[data-testid="last-delivery-buildkite"]').getByText(/Last event received .+, OK/).waitFor();
    await shot(frame, "checklist-green");

    await setup.locator('[data-testid="show-activity-buildkite"]').click();
    // The filter is set by the click's render: wait for the value asserted.
    await frame.waitForFunction(() => (document.querySelector("#activity-integration") as HTMLSelectElement | null)?.value === "buildkite");
    const row = frame.locator('[data-testid="activity-log"] [data-testid="activity-row"][data-status="done"]').first();
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", /buildkite/);
    await assertAxeClean(frame, "the settings page with a checklist and the activity log filtered");
  });

  it("works with the keyboard alone: every switch is reached with Tab and operated with Space, focus is visible", async () => {
    const frame = await open();
    const ids = integrationDefinitions().map((d) => d.id);
    await frame.locator("body").click({ position: { x: 1, y: 1 } });
    const reached = new Set<string>();
    for (let i = 0; i < 60 && reached.size < ids.length; i++) {
      await page.keyboard.press("Tab");
      const id = await frame.evaluate(() => document.activeElement?.id ?? "");
      if (id.endsWith("-enabled")) reached.add(id.slice(0, -"-enabled".length));
    }
    assert.deepEqual([...reached].sort(), [...ids].sort(), "every card's switch is reached with Tab");

    // Space switches the focused card on: its fields appear; Tab moves into them with a visible ring.
    await frame.locator("#review-radar-enabled").focus();
    await page.keyboard.press("Space");
    const radar = frame.locator('[data-testid="card-review-radar"]');
    await radar.getByRole("group", { name: "Days" }).waitFor();
    await radar.getByRole("group", { name: "Draft pull requests" }).getByLabel("Shown separately").focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Shift+Tab");
    const ring = await frame.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const s = getComputedStyle(el);
      return { type: (el as HTMLInputElement).type, style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    assert.equal(ring.type, "radio");
    assert.notEqual(ring.style, "none", "a focused choice shows an outline");
    assert.ok(ring.width >= 2, `outline ${ring.width}px`);
    await shot(frame, "keyboard");
  });
});
