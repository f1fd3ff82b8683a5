import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

/** Where browser tests save their screenshots. */
export const ARTIFACTS = path.resolve(__dirname, "../../test-artifacts");

/** Debian's headless Chromium with the flags that work as root on a closed network. */
export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
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
