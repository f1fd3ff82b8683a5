import assert from "node:assert/strict";
import path from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import type { Browser, Page } from "playwright-core";
import { bitbucketJwt } from "../helpers/jwt";
import { buildUi } from "../../ui/build";
import { ADMIN, grantDefaults, settingsPagePath } from "../web/support";
import { ARTIFACTS, embedOnAppOrigin, launchChromium } from "../helpers/browser";
import { startWorld, type ProtonWorld } from "../integrations/proton/setup";

/** The Proton card after a save: the AWS checks' results, shown as a warning that does not undo the save. */
describe("Settings page in a browser: AWS checks on save", function () {
  this.timeout(120_000);
  let w: ProtonWorld;
  let browser: Browser;
  let page: Page;

  before(async () => {
    await buildUi();
    browser = await launchChromium();
    w = await startWorld();
    await w.s3.client().send(new CreateBucketCommand({ Bucket: "eu-archive" }));
    w.s3.placeBucket("eu-archive", "eu-west-1");
    grantDefaults(w.h);
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });
  after(async () => {
    await page?.close();
    await browser?.close();
    await w?.close();
  });

  it("saves a bucket in another region and shows where the bucket is", async () => {
    const pathAndQuery = settingsPagePath(w.h);
    const jwt = bitbucketJwt("GET", pathAndQuery, { clientKey: w.h.tenant.clientKey, sharedSecret: w.h.tenant.sharedSecret, sub: ADMIN });
    await embedOnAppOrigin(
      page,
      w.h.url,
      `<!doctype html><html><body style="margin:0"><iframe id="relay" src="${w.h.url}${pathAndQuery}&jwt=${encodeURIComponent(jwt)}" style="width:100%;height:4000px;border:0"></iframe></body></html>`,
    );
    const frame = page.frameLocator("#relay");
    await frame.locator('[data-testid="settings-page"][data-state="ready"]').waitFor();
    const card = frame.locator('[data-testid="card-proton"]');
    await card.locator('[data-testid="field-bucket"]').fill("eu-archive");
    await card.locator('[data-testid="save-proton"]').click();
    // Waits for the checks' outcome itself: the element may render before its results.
    const checks = card
      .locator('[data-testid="save-checks"]')
      .filter({ hasText: "Saved, but the check found problems" })
      .filter({ hasText: "the bucket eu-archive is in eu-west-1" });
    await checks.waitFor();
    const text = await checks.textContent();
    assert.match(text ?? "", /Saved, but the check found problems/);
    assert.match(text ?? "", /Bucket: the bucket eu-archive is in eu-west-1, not in us-east-1: set the region to eu-west-1/);
    await card.screenshot({ path: path.join(ARTIFACTS, "settings-proton-checks.png") });
    const saved = await w.h.services.settings.get(w.h.tenant.installation.id, w.h.repo.uuid, "proton");
    assert.equal(saved.bucket, "eu-archive", "the warning did not undo the save");
  });
});
