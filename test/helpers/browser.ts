import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

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
