import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type FrameLocator, type Page } from "playwright-core";
import type { Harness } from "./harness";
import { bitbucketJwt } from "./jwt";

/** Where browser tests save their screenshots. */
export const ARTIFACTS = path.resolve(__dirname, "../../test-artifacts");

/**
 * Debian's headless Chromium with the flags that work as root on a closed network. Its contexts (and
 * so `browser.newPage()`'s) have no default time limit: a wait (`locator.waitFor`, `waitForSelector`,
 * an action's auto-wait) lasts until its condition holds, bounded by the running test's mocha timeout
 * only, so a loaded machine makes the browser tests slower, never red (issue 14, section 3).
 */
export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(0);
    return context;
  };
  return browser;
}

/**
 * Plays Bitbucket's page around an app iframe: writes `html` (which holds the iframe) into `page` on
 * the app's own origin, the one origin besides Bitbucket's hosts that the pages' CSP
 * `frame-ancestors` lets frame them.
 */
export async function embedOnAppOrigin(page: Page, appUrl: string, html: string): Promise<void> {
  await page.goto(`${new URL(appUrl).origin}/healthz`);
  await page.setContent(html);
}

/**
 * Opens one of the app's Connect pages (`pathAndQuery`, e.g. the settings or workspace-defaults page)
 * as Bitbucket embeds it: signed for `accountId` of the harness tenant, in an iframe `#relay` on the
 * app's origin; returns the frame once `[data-testid=<ready>][data-state="ready"]` shows (its data loaded).
 */
export async function openConnectPage(page: Page, h: Harness, pathAndQuery: string, accountId: string, ready: string): Promise<FrameLocator> {
  const jwt = bitbucketJwt("GET", pathAndQuery, { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: accountId });
  const src = `${h.url}${pathAndQuery}${pathAndQuery.includes("?") ? "&" : "?"}jwt=${encodeURIComponent(jwt)}`;
  await embedOnAppOrigin(page, h.url, `<!doctype html><html><body style="margin:0"><iframe id="relay" src="${src}" style="width:100%;height:4000px;border:0"></iframe></body></html>`);
  const frame = page.frameLocator("#relay");
  await frame.locator(`[data-testid="${ready}"][data-state="ready"]`).waitFor();
  return frame;
}
