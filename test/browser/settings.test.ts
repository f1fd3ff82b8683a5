import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { type Browser, type FrameLocator, type Locator, type Page } from "playwright-core";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { pushPayload } from "../helpers/echo-handler";
import { buildUi } from "../../ui/build";
import { Job } from "../../src/models";
import { integrationDefinitions, type IntegrationId } from "../../src/settings/registry";
import { ADMIN, TEST_ID, WRITER, grantDefaults, registerTestHandler, settingsPagePath } from "../web/support";
import { ARTIFACTS, launchChromium, openConnectPage } from "../helpers/browser";
import { assertAxeClean } from "../helpers/axe";

const SECRET = "browser-secret-7d1c2e";

/**
 * The settings page in headless Chromium, loaded as Bitbucket loads it: an iframe on a host page,
 * its URL carrying the descriptor's context parameters and a `jwt` signed with the shared secret.
 */
describe("Settings page in a browser", function () {
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
    h = await Harness.start({ integrations: [], registerHandlers: (r) => registerTestHandler(r) });
    grantDefaults(h);
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });
  afterEach(async () => {
    await page?.close();
    await h?.close();
  });

  /** Embeds the page like Bitbucket's repository settings do and returns the iframe. */
  const open = (accountId: string): Promise<FrameLocator> => openConnectPage(page, h, settingsPagePath(h), accountId, "settings-page");

  /** A screenshot of one part of the page (a card, the log), or of the whole frame. */
  async function shot(name: string, part?: Locator): Promise<void> {
    const file = path.join(ARTIFACTS, `settings-${name}.png`);
    if (part) await part.screenshot({ path: file });
    else await page.screenshot({ path: file });
    assert.ok(fs.statSync(file).size > 1000, `screenshot ${name} written`);
  }

  const testSettings = () => h.services.settings.get(h.tenant.installation.id, h.repo.uuid, TEST_ID as IntegrationId) as unknown as Promise<Record<string, unknown>>;

  it("toggles an integration, shows a validation error for bad input, saves, and keeps the secret write-only", async () => {
    const frame = await open(ADMIN);
    const card = frame.locator(`[data-testid="card-${TEST_ID}"]`);
    await card.waitFor();
    await shot("loaded");

    await card.locator(`[data-testid="toggle-${TEST_ID}--input"]`).check({ force: true });
    await card.locator('[data-testid="field-channel"]').fill("");
    await card.locator('[data-testid="field-threshold"]').fill("42");
    await card.locator(`[data-testid="save-${TEST_ID}"]`).click();
    const errors = card.locator('[data-testid="field-error"]');
    await errors.filter({ hasText: /^must not be empty$/ }).waitFor();
    await errors.filter({ hasText: /10/ }).waitFor();
    await shot("validation-error", card);
    assert.equal((await testSettings()).enabled, false, "nothing was stored");

    await card.locator('[data-testid="field-channel"]').fill("ops");
    await card.locator('[data-testid="field-threshold"]').fill("5");
    await card.locator(`[data-testid="secret-input-apiToken"]`).fill(SECRET);
    await card.locator(`[data-testid="save-${TEST_ID}"]`).click();
    await card.locator('[data-testid="saved"]').waitFor();
    const stored = await testSettings();
    assert.equal(stored.enabled, true);
    assert.equal(stored.channel, "ops");
    assert.equal(stored.threshold, 5);
    assert.equal(stored.apiToken, SECRET);
    await card.locator('[data-testid="secret-apiToken"]').getByText("set", { exact: true }).waitFor();
    // A set secret is not shown in an input (waited for: the render after the save removes it).
    await card.locator('[data-testid="secret-input-apiToken"]').waitFor({ state: "detached" });

    // Values to copy: the copy button reports success.
    const webhookUrl = card.locator('[data-testid="copy-value"]').filter({ hasText: "Webhook URL" });
    await webhookUrl.getByRole("button", { name: "Copy" }).click();
    await webhookUrl.getByRole("button", { name: "Copied" }).waitFor();

    // The action uses the stored secret server-side and shows its result.
    await card.getByRole("button", { name: "Send test" }).click();
    await card.locator('[data-testid="action-result"]').getByText(`Pinged ops as ${ADMIN}`).waitFor();
    await shot("saved", card);

    // Reloaded, the page knows the secret is set but never its value.
    const again = await open(ADMIN);
    await again.locator(`[data-testid="toggle-${TEST_ID}--input"]:checked`).waitFor();
    const html = await again.locator("html").innerHTML();
    assert.ok(!html.includes(SECRET), "the secret never reaches the browser");
  });

  it("lists a dead delivery in the activity log and replays it", async () => {
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 403, times: 1 });
    const base = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName });
    await h.webhook("repo:push", pushPayload(base, "c".repeat(40)));
    const dead = await waitFor(() => Job.findOne({ where: { status: "dead" } }), "dead job");

    const frame = await open(ADMIN);
    const log = frame.locator('[data-testid="activity-log"]');
    // Wait for the row in the state asserted, never read the row a render may still replace.
    const deadRow = log.locator(`[data-testid="activity-row"][data-job="${dead.id}"][data-status="dead"]`);
    await deadRow.waitFor();
    assert.match((await deadRow.textContent()) ?? "", /403/);
    await shot("activity-dead", log);
    const frameOf = page.frames().find((f) => f.url().includes("/connect/settings"));
    assert.ok(frameOf, "the settings page's frame");
    await assertAxeClean(frameOf, "the activity log with a dead delivery and its replay button");

    await deadRow.locator(`[data-testid="replay-${dead.id}"]`).click();
    await log.locator('[data-testid="replay-notice"]').getByText("Replay queued", { exact: false }).waitFor();
    const replay = await waitFor(() => Job.findOne({ where: { replayOf: dead.id, status: "done" } }), "replay done");
    await log.getByRole("button", { name: "Refresh" }).click();
    // The row of the previous render (status running) may still be there: wait for the refreshed one.
    const replayRow = log.locator(`[data-testid="activity-row"][data-job="${replay.id}"][data-status="done"]`);
    await replayRow.waitFor();
    assert.match((await replayRow.textContent()) ?? "", new RegExp(`replay by ${ADMIN}`));
    assert.match((await replayRow.textContent()) ?? "", /POST bitbucket → 201/);

    // Filter by outcome: only the dead delivery's entry is listed.
    await log.locator("#activity-outcome").selectOption("dead");
    await waitFor(async () => (await log.locator('[data-testid="activity-page"]').textContent())?.includes("1 entry"), "filtered");
    await shot("activity-replayed", log);
  });

  it("renders one card per integration the app defines; switched on, fields from each one's schema and a save button", async () => {
    const frame = await open(ADMIN);
    const ids = integrationDefinitions().map((d) => d.id);
    assert.ok(ids.includes(TEST_ID));
    for (const id of ids) {
      const card = frame.locator(`[data-testid="card-${id}"]`);
      await card.waitFor();
      await card.locator(`[data-testid="toggle-${id}--input"]`).check({ force: true });
      // Exactly one: a locator that matches two elements fails waitFor (strict mode).
      await card.locator(`[data-testid="save-${id}"]`).waitFor();
      await card.locator('[data-testid^="fieldrow-"]').first().waitFor(); // its fields, from its schema
      await shot(`card-${id}`, card);
    }
  });

  it("gives a non-admin a read-only page", async () => {
    const frame = await open(WRITER);
    await frame.locator('[data-testid="read-only"]').waitFor();
    // The cards and the activity log are rendered (their data loaded) before their buttons are counted.
    await frame.locator(`[data-testid="card-${TEST_ID}"]`).waitFor();
    await frame.locator('[data-testid="activity-page"]').waitFor();
    assert.equal(await frame.locator(`[data-testid="save-${TEST_ID}"]`).count(), 0);
    assert.equal(await frame.locator(`[data-testid="toggle-${TEST_ID}--input"]`).count(), 0);
    assert.equal(await frame.locator('[data-testid^="replay-"]').count(), 0);
    await shot("read-only");
  });
});
