import assert from "node:assert/strict";
import path from "node:path";
import { type Browser, type BrowserContext } from "playwright-core";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { buildUi } from "../../ui/build";
import { ARTIFACTS, launchChromium } from "../helpers/browser";
import { assertAxeClean } from "../helpers/axe";
import { dcLoginSetup, stopDcLogin, type DcLoginSetup } from "../helpers/dc-login";

/**
 * "Log in with Bitbucket Data Center" in headless Chromium: the landing page, DC's authorize page
 * (the fake's, with the test's user logged in there), back to the repository picker, the settings
 * page (the Cloud bundle through the cookie transport), the review radar and the review insights pages; axe-core clean.
 */
describe("Data Center door in Chromium: log in, pick the repository, settings and review radar", function () {
  this.timeout(120_000);
  let browser: Browser;
  let context: BrowserContext;
  let s: DcLoginSetup;

  before(async () => {
    await buildUi();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    s = await dcLoginSetup();
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  });
  afterEach(async () => {
    await context.close(); // first: open keep-alive connections would hold the app's server open
    await stopDcLogin(s);
  });

  it("a repository admin logs in, opens the settings from the picker, then the review radar and review insights pages", async () => {
    s.oauth.browserUser = s.alice;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${s.h.url}/datacenter`);
    await assertAxeClean(page, "the Data Center landing page");
    await page.getByRole("link", { name: /Log in with Bitbucket Data Center/ }).click();
    await page.waitForURL(`${s.h.url}/datacenter/repositories`);
    await page.getByRole("heading", { name: "Choose a repository" }).waitFor();
    await assertAxeClean(page, "the repository picker");
    const cookies = await context.cookies(s.h.url);
    const session = cookies.find((c) => c.name === "relay-session");
    assert.ok(session?.httpOnly, "the session cookie is HttpOnly");
    assert.equal(session?.sameSite, "Lax");

    // The admin list links the settings page.
    const id = mintDataCenterRepositoryId(s.dc.fake.baseUrl, s.dc.repo.id);
    await page.locator(`a[href="/datacenter/repos/${encodeURIComponent(id)}/settings"]`).click();
    const settings = page.getByTestId("settings-page");
    await settings.and(page.locator('[data-state="ready"]')).waitFor();
    await page.getByText("PROJ/widgets").first().waitFor();
    await page.getByRole("heading", { name: "Integrations" }).waitFor();
    await assertAxeClean(page, "the settings page on Data Center");
    await page.screenshot({ path: path.join(ARTIFACTS, "datacenter-settings.png"), fullPage: true });

    await page.goto(`${s.h.url}/datacenter/repositories`);
    const panelCall = page.waitForResponse((r) => r.url().startsWith(`${s.h.url}/datacenter/api/review-radar/panel`));
    await page.locator(`a[href="/datacenter/repos/${encodeURIComponent(id)}/review-radar"]`).click();
    // The cookie session and the user's REPO_READ let the call through (what DC's pull requests then give is the radar's).
    assert.ok(![401, 403].includes((await panelCall).status()), "the radar's API call is authenticated by the session");
    const radar = page.getByTestId("review-radar");
    await radar.waitFor();
    // Settled: the panel asked the API (through the cookie session) and rendered its answer.
    await page.waitForFunction(() => document.querySelector('[data-testid="review-radar"]')?.getAttribute("data-state") !== "loading");
    await assertAxeClean(page, "the review radar page on Data Center");
    await page.screenshot({ path: path.join(ARTIFACTS, "datacenter-review-radar.png"), fullPage: true });

    // The read list links the review insights page too: the insights bundle through the cookie transport (off until an admin switches it on).
    await page.goto(`${s.h.url}/datacenter/repositories`);
    const insightsCall = page.waitForResponse((r) => r.url().startsWith(`${s.h.url}/datacenter/api/repositories/${encodeURIComponent(id)}/insights`));
    await page.locator(`a[href="/datacenter/repos/${encodeURIComponent(id)}/review-insights"]`).click();
    assert.equal((await insightsCall).status(), 200, "the insights API call is authenticated by the session");
    await page.locator('[data-testid="insights-offline"]').waitFor();
    await page.locator('[data-testid="insights-on"]').waitFor(); // alice administers PROJ/widgets
    await assertAxeClean(page, "the review insights page on Data Center");
    assert.deepEqual(errors, []);
  });
});
