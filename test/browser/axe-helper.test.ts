import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { launchChromium } from "../helpers/browser";
import { assertAxeClean, axeViolations } from "../helpers/axe";

describe("axe-core helper (what the page tests rely on)", function () {
  this.timeout(60_000);
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it("reports serious/critical violations of a bad page and passes a good one", async () => {
    const page = await browser.newPage();
    try {
      await page.setContent(`<!doctype html><html><body><main><img src="data:,"><button></button>
        <p style="color:#bbb;background:#fff">low contrast</p></main></body></html>`);
      const found = await axeViolations(page);
      const ids = found.map((v) => v.id).sort();
      for (const id of ["button-name", "color-contrast", "html-has-lang", "image-alt"]) assert.ok(ids.includes(id), `${id} in ${ids.join(",")}`);
      await assert.rejects(assertAxeClean(page, "the bad page"), /button-name/);

      await page.setContent(`<!doctype html><html lang="en"><head><title>ok</title></head><body><main>
        <h1>Fine</h1><img src="data:," alt="logo"><button>Save</button></main></body></html>`);
      await assertAxeClean(page, "the good page");
    } finally {
      await page.close();
    }
  });
});
