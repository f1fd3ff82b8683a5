import assert from "node:assert/strict";
import path from "node:path";
import { type Browser, type BrowserContext } from "playwright-core";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { buildUi } from "../../ui/build";
import { ARTIFACTS, launchChromium } from "../helpers/browser";
import { assertAxeClean } from "../helpers/axe";
import { dcEventFor } from "../helpers/datacenter-events";
import { dcLoginSetup, stopDcLogin, type DcLoginSetup } from "../helpers/dc-login";

/**
 * Issue 16 step 3 in headless Chromium: the Data Center settings page shows the repository's webhook
 * (registered, events, last check, DC's latest delivery) once, above the integrations; "Repair now"
 * repairs a hook someone disabled on DC and the section shows the new state. axe-core clean.
 */
describe("Data Center settings page in Chromium: the webhook section and Repair now", function () {
  this.timeout(120_000);
  let browser: Browser;
  let context: BrowserContext;
  let s: DcLoginSetup;

  before(async () => {
    await buildUi();
    browser = await launchChromium();
    s = await dcLoginSetup();
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  });
  after(async () => {
    await context?.close(); // first: open keep-alive connections would hold the app's server open
    await stopDcLogin(s);
    await browser?.close();
  });

  it("shows the webhook's state; Repair now re-enables a hook someone disabled and the section updates", async () => {
    const id = mintDataCenterRepositoryId(s.dc.fake.baseUrl, s.dc.repo.id);
    await s.h.services.settings.update(s.installation.id, { uuid: id, fullName: "PROJ/widgets" }, "review-radar", { values: { enabled: true } }, "alice");
    await s.h.drained();
    const [delivered] = await s.dc.fake.deliver(s.dc.repo, "repo:refs_changed", dcEventFor(s.dc.fake, s.dc.repo, "repo-refs_changed.jenkins-fixture.json"));
    assert.equal(delivered!.status, 204, delivered!.body);
    await s.h.drained();
    const hook = s.dc.fake.webhooks.of(s.dc.repo)[0]!;
    hook.active = false; // someone disabled it on DC

    s.oauth.browserUser = s.alice;
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${s.h.url}/datacenter/login?instance=${s.installation.hostScope}`);
    await page.getByRole("heading", { name: "Choose a repository" }).waitFor();
    await page.goto(`${s.h.url}/datacenter/repos/${encodeURIComponent(id)}/settings`);
    await page.getByTestId("settings-page").and(page.locator('[data-state="ready"]')).waitFor();

    const section = page.getByTestId("dc-webhook");
    await section.and(page.locator('[data-state="registered"][data-checking="false"]')).waitFor();
    await page.getByRole("heading", { name: "Data Center webhook" }).waitFor();
    assert.equal(await page.getByRole("heading", { name: "Data Center webhook" }).count(), 1, "once per repository");
    assert.match(await page.getByTestId("dc-webhook-registered").innerText(), new RegExp(`registered \\(Data Center webhook ${hook.id}\\)`));
    assert.match(await section.innerText(), /repo:refs_changed/);
    await assertAxeClean(page, "the Data Center webhook section");

    await page.getByRole("button", { name: "Repair now" }).click();
    await section.and(page.locator('[data-state="repaired"][data-checking="false"]')).waitFor();
    assert.equal(hook.active, true, "the fake DC's hook is enabled again");
    // The repair read DC's latest invocation: the push delivered before.
    await page.getByTestId("dc-webhook-delivery").getByText("delivered (repo:refs_changed)").waitFor();
    await page.getByRole("status").getByText("Done: the webhook was repaired.").waitFor();
    await page.getByRole("button", { name: "Rotate secret" }).waitFor();
    await assertAxeClean(page, "the Data Center webhook section after Repair now");
    await page.screenshot({ path: path.join(ARTIFACTS, "datacenter-webhook-section.png"), fullPage: true });
    assert.deepEqual(errors, []);
  });
});
