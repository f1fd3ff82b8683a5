import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { type Browser, type FrameLocator, type Page } from "playwright-core";
import { Harness } from "../helpers/harness";
import { buildUi } from "../../ui/build";
import { ADMIN, TEST_ID, grantDefaults, registerTestHandler, settingsPagePath } from "../web/support";
import { OWNER, WORKSPACE_PAGE, grantWorkspace } from "../settings/support";
import { ARTIFACTS, launchChromium, openConnectPage } from "../helpers/browser";

const SECRET = "browser-ws-secret-5b2d";

/** The workspace-defaults page in headless Chromium, framed as Bitbucket frames it, then the repository page it feeds. */
describe("Workspace defaults page in a browser", function () {
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
    grantWorkspace(h);
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });
  afterEach(async () => {
    await page?.close();
    await h?.close();
  });

  const frame = (pathAndQuery: string, accountId: string, ready: string): Promise<FrameLocator> => openConnectPage(page, h, pathAndQuery, accountId, ready);

  it("a workspace admin saves a default (secret write-only), the repository card marks it inherited, apply shows progress", async () => {
    const ws = await frame(WORKSPACE_PAGE, OWNER, "workspace-defaults-page");
    const card = ws.locator(`[data-testid="card-${TEST_ID}"]`);
    await card.locator('[data-testid="field-channel"]').fill("eng");
    await card.locator(`[data-testid="secret-input-apiToken"]`).fill(SECRET);
    await card.locator(`[data-testid="save-${TEST_ID}"]`).click();
    await card.locator('[data-testid="saved"]').waitFor().catch(async (err: unknown) => {
      await page.screenshot({ path: path.join(ARTIFACTS, "workspace-defaults-failed.png") });
      throw err;
    });
    const defaults = (await h.services.settings.defaultsView(h.tenant.installation.id, [TEST_ID]))[TEST_ID]!;
    assert.equal(defaults.values.channel, "eng");
    assert.deepEqual(defaults.set, ["apiToken", "channel"]);
    assert.ok(!(await ws.locator("html").innerHTML()).includes(SECRET), "the secret never reaches the browser");
    await page.screenshot({ path: path.join(ARTIFACTS, "workspace-defaults.png") });

    // The repository has a value of its own for `mode`; apply hands it back to the workspace.
    await h.services.settings.update(h.tenant.installation.id, { uuid: h.repo.uuid, fullName: h.repo.fullName }, TEST_ID, { values: { mode: "loud" } }, ADMIN);
    const again = await frame(WORKSPACE_PAGE, OWNER, "workspace-defaults-page");
    await again.locator(`[data-testid="apply-${TEST_ID}"]`).click();
    await again.locator(`[data-testid="apply-progress-${TEST_ID}"]`).getByText("finished: 1/1 repositories, 1 changed").waitFor();

    // Apply to selected: the repository picked by name, its own value handed back again.
    await h.services.settings.update(h.tenant.installation.id, { uuid: h.repo.uuid, fullName: h.repo.fullName }, TEST_ID, { values: { mode: "loud" } }, ADMIN);
    const picked = await frame(WORKSPACE_PAGE, OWNER, "workspace-defaults-page");
    await picked.locator(`[data-testid="apply-pick-${TEST_ID}-${h.repo.uuid}"]`).check();
    await picked.locator(`[data-testid="apply-selected-${TEST_ID}"]`).getByText("Apply to selected (1)").waitFor();
    await picked.locator(`[data-testid="apply-selected-${TEST_ID}"]`).click();
    await picked.locator(`[data-testid="apply-progress-${TEST_ID}"]`).getByText("finished: 1/1 repositories, 1 changed").waitFor();
    assert.deepEqual(await h.services.settings.ownFields(h.tenant.installation.id, h.repo.uuid, TEST_ID), [], "the picked repository follows the defaults again");

    const repo = await frame(settingsPagePath(h), ADMIN, "settings-page");
    const repoCard = repo.locator(`[data-testid="card-${TEST_ID}"]`);
    // Switched off, a repository card is one line; switched on (not saved) it shows its fields and what they inherit.
    await repoCard.locator(`[data-testid="toggle-${TEST_ID}--input"]`).check({ force: true });
    await repoCard.locator('[data-testid="inherited-channel"]').waitFor();
    await repoCard.locator('[data-testid="inherited-apiToken"]').waitFor();
    // An inherited secret is not the repository's to clear (a Clear would change nothing): only Replace.
    const secret = repoCard.locator('[data-testid="secret-apiToken"]');
    await secret.getByRole("button", { name: "Replace" }).waitFor();
    assert.equal(await secret.getByRole("button", { name: "Clear" }).count(), 0, "no Clear for an inherited secret");
    assert.equal(await repoCard.locator('[data-testid="field-channel"]').inputValue(), "eng");
    const file = path.join(ARTIFACTS, "settings-inherited.png");
    await repoCard.screenshot({ path: file });
    assert.ok(fs.statSync(file).size > 1000);
  });
});
