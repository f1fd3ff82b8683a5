import type { Browser, Page } from "playwright-core";
import { Harness } from "../helpers/harness";
import { bitbucketJwt } from "../helpers/jwt";
import { ADMIN, grantDefaults, registerTestHandler, settingsPagePath } from "../web/support";
import { embedOnAppOrigin, launchChromium } from "../helpers/browser";
import { assertAxeClean } from "../helpers/axe";
import { buildUi } from "../../ui/build";

/**
 * Issue 18, item 4: axe-core finds no serious or critical violation on the settings page with its
 * activity log, as an admin sees it (the review radar panel is checked in review-radar*.test.ts).
 */
describe("Settings page and activity log: axe-core", function () {
  this.timeout(120_000);
  let h: Harness;
  let browser: Browser;
  let page: Page;

  before(async () => {
    await buildUi();
    browser = await launchChromium();
    h = await Harness.start({ integrations: [], registerHandlers: (r) => registerTestHandler(r) });
    grantDefaults(h);
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await h?.close();
  });

  it("has 0 serious/critical violations", async () => {
    const pathAndQuery = settingsPagePath(h);
    const jwt = bitbucketJwt("GET", pathAndQuery, { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: ADMIN });
    const src = `${h.url}${pathAndQuery}&jwt=${encodeURIComponent(jwt)}`;
    await embedOnAppOrigin(page, h.url, `<!doctype html><html lang="en"><body><iframe id="relay" title="Settings" src="${src}" style="width:100%;height:4000px;border:0"></iframe></body></html>`);
    const frame = await (await page.waitForSelector("#relay")).contentFrame();
    if (!frame) throw new Error("no iframe content");
    await frame.waitForSelector('[data-testid="settings-page"][data-state="ready"]');
    await frame.waitForSelector('[data-testid="activity-log"]');
    await assertAxeClean(frame, "the settings page with its activity log");
  });
});
