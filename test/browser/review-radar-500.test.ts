import assert from "node:assert/strict";
import path from "node:path";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
import { Harness } from "../helpers/harness";
import { waitFor } from "../helpers/fixtures";
import { reviewRadar } from "../../src/integrations/review-radar";
import { radarOf } from "../../src/integrations/review-radar/radar";
import { buildUi } from "../../ui/build";
import { panel, panelUrl, seed500, session } from "../integrations/review-radar/helpers";
import { ARTIFACTS, embedOnAppOrigin, launchChromium } from "../helpers/browser";
import { assertAxeClean } from "../helpers/axe";
import type { PanelView } from "../../src/integrations/review-radar/model";

const integrations = [{ ...reviewRadar, background: undefined }];
/** Issue 18: the panel with 500 open PRs fits in this height. */
const MAX_PANEL_PX = 1200;

/** The panel in a sidebar-like iframe `width` px wide, tall enough to show all of it in a screenshot. */
async function openPanel(page: Page, src: string, width: number): Promise<Frame> {
  await embedOnAppOrigin(
    page,
    src,
    `<!doctype html><html><body style="margin:0">
       <div id="sidebar" style="width:${width}px;margin:8px;border:1px solid #8590a2">
         <iframe id="panel" title="Review radar" src="${src}" style="display:block;width:100%;height:1400px;border:0"></iframe>
       </div></body></html>`,
  );
  const frame = await (await page.waitForSelector("#panel")).contentFrame();
  if (!frame) throw new Error("no iframe content");
  await frame.waitForSelector('[data-testid="section-needsYourReview"]');
  return frame;
}

/** Height the panel's content takes (what Connect's `AP.resize()` would size the iframe to). */
async function contentHeight(frame: Frame): Promise<number> {
  return frame.evaluate(() => Math.ceil(document.getElementById("root")!.getBoundingClientRect().bottom + 8));
}

async function statusCallsSettled(h: Harness, expected: number): Promise<void> {
  await waitFor(() => h.fake.callsTo("GET", /\/statuses\/build$|\/statuses$/).length >= expected, `${expected} status calls`);
}

describe("review radar panel with 500 open PRs in Chromium", function () {
  this.timeout(180_000);
  let browser: Browser;
  let h: Harness;
  let view: PanelView;

  before(async () => {
    await buildUi();
    browser = await launchChromium();
    h = await Harness.start({ integrations });
    seed500(h);
    view = await panel(h, await session(h)); // warms the list cache: the browser loads below are warm
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  async function withContext<T>(opts: Parameters<Browser["newContext"]>[0], fn: (page: Page, ctx: BrowserContext) => Promise<T>): Promise<T> {
    const ctx = await browser.newContext({ viewport: { width: 440, height: 1500 }, ...opts });
    try {
      return await fn(await ctx.newPage(), ctx);
    } finally {
      await ctx.close();
    }
  }

  for (const width of [280, 360, 400]) {
    it(`fits under ${MAX_PANEL_PX} px at ${width} px wide with exact counts and named reviewer states`, async () => {
      await withContext({}, async (page) => {
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        const frame = await openPanel(page, `${h.url}${panelUrl(h)}`, width);
        const height = await contentHeight(frame);
        await page.locator("#panel").evaluate((el, px) => ((el as HTMLElement).style.height = `${px}px`), height);
        await page.locator("#sidebar").screenshot({ path: path.join(ARTIFACTS, `review-radar-500-${width}px.png`) });
        assert.ok(height < MAX_PANEL_PX, `${height} px tall at ${width} px`);
        assert.ok(await frame.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), "no sideways scrolling");

        for (const s of view.sections.filter((x) => x.total > 0)) {
          assert.equal((await frame.textContent(`[data-testid="count-${s.id}"]`))?.trim(), String(s.total), `${s.id}: the exact count`);
          assert.equal(await frame.locator(`[data-testid="section-${s.id}"] [data-testid^="pr-"]`).count(), Math.min(5, s.total));
        }
        assert.ok(view.sections.some((s) => s.total > 99), "a count over 99 is shown whole");
        const first = await frame.locator("section").first().getAttribute("data-testid");
        assert.equal(first, "section-needsYourReview", "the viewer's own action comes first");
        const states = await frame.locator('[data-testid="reviewer"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-state")));
        assert.ok(states.includes("approved") && states.includes("changes_requested"), `reviewer states shown: ${[...new Set(states)].join(", ")}`);
        assert.ok((await frame.getByRole("img", { name: /^(Vera Viewer|Bob Reviewer|Carol Reviewer) (approved|requested changes|has not reviewed yet)$/ }).count()) >= 10);
        assert.deepEqual(errors, []);
      });
    });
  }

  it("looks up build statuses only for the rows shown, and the rest of a section on 'Show all', by keyboard", async () => {
    await withContext({}, async (page) => {
      await radarOf(h.services).purge(h.tenant.installation.id); // cold: no cached list, no known statuses
      h.fake.resetCalls();
      const frame = await openPanel(page, `${h.url}${panelUrl(h)}`, 360);
      const shown = view.sections.reduce((n, s) => n + s.rows.length, 0);
      await statusCallsSettled(h, shown);
      assert.equal(h.fake.callsTo("GET", /\/pullrequests$/).length, 10, "cold: ⌈500/50⌉ list pages");
      assert.equal(h.fake.calls.length, 10 + shown, "cold: list pages + one status call per shown row");
      h.fake.resetCalls();
      await assertAxeClean(frame, "the panel with 500 PRs");

      // Keyboard only: Tab through links to "Show all" of Needs review; its focus is visible.
      const needs = view.sections.find((s) => s.id === "needsReview")!;
      await page.locator("#panel").focus();
      let focused = "";
      for (let i = 0; i < 80 && focused !== `show-all-needsReview`; i++) {
        await page.keyboard.press("Tab");
        focused = await frame.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName ?? "");
      }
      assert.equal(focused, "show-all-needsReview", "reachable with Tab");
      const ring = await frame.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const cs = getComputedStyle(el);
        return { outline: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0, shadow: cs.boxShadow !== "none", visible: el.matches(":focus-visible") };
      });
      assert.ok(ring.visible && (ring.outline || ring.shadow), `a visible focus indicator: ${JSON.stringify(ring)}`);
      await page.locator("#sidebar").screenshot({ path: path.join(ARTIFACTS, "review-radar-500-focus.png") });

      await page.keyboard.press("Enter");
      await frame.waitForFunction((n) => document.querySelectorAll('[data-testid="section-needsReview"] [data-testid^="pr-"]').length === n, needs.total);
      await statusCallsSettled(h, needs.total - needs.rows.length);
      assert.equal(h.fake.callsTo("GET", /\/statuses/).length, needs.total - needs.rows.length, "the hidden rows' statuses, once");
      assert.equal(h.fake.callsTo("GET", /\/pullrequests$/).length, 0, "the list came from the cache");
      // Focus moves in an effect after the revealed rows render: wait for it to land on a row.
      await frame.waitForFunction(() => document.activeElement?.closest('[data-testid^="pr-"]') != null);
      const after = await frame.evaluate(() => document.activeElement?.closest('[data-testid^="pr-"]')?.getAttribute("data-testid") ?? null);
      assert.ok(after && !needs.rows.some((r) => `pr-${r.id}` === after), `focus moved to the first revealed row (${after})`);
    });
  });

  it("shows reviewer names in tooltips, follows the dark theme, and stays axe-clean there", async () => {
    await withContext({ colorScheme: "dark" }, async (page) => {
      const frame = await openPanel(page, `${h.url}${panelUrl(h)}`, 360);
      await frame.waitForSelector('html[data-color-mode="dark"]');
      await frame.waitForFunction(() => getComputedStyle(document.documentElement).getPropertyValue("--ds-surface").trim() !== "", undefined);
      const bg = await frame.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      const [r, g, b] = (bg.match(/\d+/g) ?? []).map(Number);
      assert.ok(r! + g! + b! < 3 * 80, `a dark page background (${bg})`);
      await assertAxeClean(frame, "the panel in the dark theme");

      await frame.locator('[data-testid="reviewer"][data-state="approved"]').first().hover();
      const tip = frame.getByRole("tooltip");
      await tip.waitFor();
      assert.match((await tip.textContent()) ?? "", /^(Vera Viewer|Bob Reviewer|Carol Reviewer) approved$/);
      await page.locator("#panel").evaluate((el, px) => ((el as HTMLElement).style.height = `${px}px`), await contentHeight(frame));
      await page.locator("#sidebar").screenshot({ path: path.join(ARTIFACTS, "review-radar-500-dark.png") });
    });
  });
});
