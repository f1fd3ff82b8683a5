import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { type Browser, type Page } from "playwright-core";
import { reviewInsights } from "../../src/integrations/review-insights";
import { reviewRadar } from "../../src/integrations/review-radar";
import { buildForgeResource, FORGE_RESOURCES } from "../../ui/forge/build";
import { PAGES_DIR } from "../../ui/build";
import { addPr, PEOPLE } from "../integrations/review-radar/helpers";
import { ADMIN as INSIGHTS_ADMIN, grant, seedCloud } from "../integrations/review-insights/helpers";
import { FORGE_UI_MODULES, ForgeHost, type ForgeUiModule } from "../forge/forge-host";
import { ARTIFACTS, launchChromium } from "../helpers/browser";
import { assertAxeClean } from "../helpers/axe";


/** Serves a built Custom UI resource folder, as Forge's CDN does (the app's server never serves it). */
async function serveFolder(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
  const server = http.createServer((req, res) => {
    const rel = (req.url ?? "/").split("?")[0]!.replace(/^\/+/, "") || "index.html";
    const file = path.join(dir, path.normalize(rel));
    if (!file.startsWith(dir) || !fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface BridgeCall {
  path: string;
  method: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Plays the Forge host for a Custom UI iframe: `window.__bridge.callBridge` (what @forge/bridge talks
 * to) answers `getContext` with the module's context and proxies `invoke` (invokeRemote) to the
 * app with a freshly signed FIT and the system token, as Forge's proxy does.
 */
async function installForgeBridge(page: Page, f: ForgeHost, o: { module: ForgeUiModule; accountId: string }): Promise<BridgeCall[]> {
  const calls: BridgeCall[] = [];
  const m = FORGE_UI_MODULES[o.module];
  const location = {
    card: "https://bitbucket.org/acme/widgets/src/main/",
    settings: "https://bitbucket.org/acme/widgets/admin/forge/x/y/relay-settings",
    insights: "https://bitbucket.org/acme/widgets/forge/x/y/relay-review-insights",
  }[o.module];
  await page.exposeFunction("__relayForgeHost", async (cmd: string, payload: BridgeCall | undefined) => {
    if (cmd === "getContext") {
      return {
        accountId: o.accountId,
        workspaceId: f.workspaceUuid,
        environmentId: "33333333-3333-4333-8333-333333333333",
        environmentType: "DEVELOPMENT",
        localId: "44444444-4444-4444-8444-444444444444",
        locale: "en-US",
        moduleKey: m.key,
        siteUrl: "https://bitbucket.org",
        timezone: "UTC",
        extension: {
          type: m.type,
          repository: { uuid: f.h.repo.uuid },
          location,
        },
      };
    }
    if (cmd === "invoke" && payload) {
      calls.push(payload);
      const res = await f.ui(payload.method, payload.path.replace(/^\/forge\/api/, ""), payload.body, { module: o.module, principal: o.accountId });
      if (res.status === 401) throw new Error("Remote could not verify the Forge Invocation Token");
      const headers: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v : [String(v)];
      return { success: true, payload: { status: res.status, headers, body: res.text ? JSON.parse(res.text) : undefined } };
    }
    return {};
  });
  // A string, not a function: the test is compiled with helpers (__name) that do not exist in the page.
  await page.addInitScript({ content: "window.__bridge = { callBridge: (cmd, payload) => window.__relayForgeHost(cmd, payload) };" });
  return calls;
}

describe("Forge Custom UI: the Connect pages through @forge/bridge", function () {
  this.timeout(120_000);
  let browser: Browser;
  let f: ForgeHost;
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "relay-forge-ui-"));

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    f = await ForgeHost.start({ integrations: [{ ...reviewRadar, background: undefined }, { ...reviewInsights, background: undefined }] });
  });
  afterEach(() => f.close());

  it("renders the review radar card: context from getContext, data through invokeRemote → /forge/api with a FIT", async () => {
    addPr(f.h, { id: 5, title: "Make widgets faster", participants: [{ user: PEOPLE.viewer, role: "REVIEWER", approved: false }] });
    const dir = await buildForgeResource("review-radar", outRoot);
    const site = await serveFolder(dir);
    const page = await browser.newPage({ viewport: { width: 360, height: 640 } });
    try {
      const calls = await installForgeBridge(page, f, { module: "card", accountId: PEOPLE.viewer.account_id });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(site.url);
      await page.locator('[data-testid="review-radar"][data-state="ready"]').waitFor();
      await page.getByText("Make widgets faster").waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, "forge-review-radar.png"), fullPage: true });
      assert.deepEqual(errors, []);
      assert.ok(calls.some((c) => c.method === "GET" && c.path.startsWith("/forge/api/review-radar/panel?")), JSON.stringify(calls));
      assert.match(calls[0]!.path, /repoUuid=%7B11111111-2222-4333-8444-555555555555%7D/);
      assert.match(calls[0]!.path, /repoPath=acme%2Fwidgets/, "repository path from the module's location");
      assert.ok(f.fake.callsTo("GET", /\/pullrequests$/).every((c) => c.auth.kind === "bearer"));
    } finally {
      await page.close();
      await site.close();
    }
  });

  it("renders the settings page the same way", async function () {
    if (!fs.existsSync(path.join(PAGES_DIR, `${FORGE_RESOURCES.settings!.page}.tsx`))) this.skip();
    const ADMIN = "557058:aaaaaaaa-0000-4000-8000-000000000001";
    f.fake.setRepoPermission("acme", "widgets", ADMIN, "admin");
    const dir = await buildForgeResource("settings", outRoot);
    const site = await serveFolder(dir);
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    try {
      const calls = await installForgeBridge(page, f, { module: "settings", accountId: ADMIN });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(site.url);
      // The page with its settings loaded (data-state ready), not only its first render.
      await page.locator('[data-testid="settings-page"][data-state="ready"]').waitFor();
      await page.getByText("Buildkite", { exact: false }).first().waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, "forge-settings.png"), fullPage: true });
      assert.deepEqual(errors, []);
      assert.ok(calls.some((c) => c.method === "GET" && /\/forge\/api\/repositories\/[^/]+\/settings$/.test(c.path)), JSON.stringify(calls));
    } finally {
      await page.close();
      await site.close();
    }
  });

  it("renders the review insights page (repoMainMenuPage): an admin switches it on, the backfill reads the history through the system token", async () => {
    grant(f.h);
    seedCloud(f.h, Date.now());
    const dir = await buildForgeResource("review-insights", outRoot);
    const site = await serveFolder(dir);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    try {
      const calls = await installForgeBridge(page, f, { module: "insights", accountId: INSIGHTS_ADMIN });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(site.url);
      await page.locator('[data-testid="insights-offline"]').waitFor();
      await assertAxeClean(page, "the Forge review insights page while off");
      // Keyboard alone: Tab reaches the switch (focus visible), Enter turns insights on.
      let focused = "";
      for (let i = 0; i < 20 && focused !== "insights-on"; i++) {
        await page.keyboard.press("Tab");
        focused = await page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? "");
      }
      assert.equal(focused, "insights-on", "Tab reaches the switch");
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle), "none", "focus is visible");
      await page.keyboard.press("Enter");
      await page.locator('[data-testid="backfill-done"]').waitFor();
      assert.match((await page.textContent('[data-testid="backfill-done"]')) ?? "", /History read: 45 pull requests/);
      // The period with the arrow keys, as radio buttons work.
      await page.getByLabel("Last 30 days").focus();
      await page.keyboard.press("ArrowRight");
      await page.locator('[data-testid="stat-first-review"]').getByText("45 pull requests").waitFor();
      assert.equal(await page.getByLabel("Last 90 days").isChecked(), true);
      assert.ok((await page.locator('[data-testid="chart-first-review"] svg[role=img] rect').count()) > 0, "the chart has bars");
      await page.screenshot({ path: path.join(ARTIFACTS, "forge-review-insights.png"), fullPage: true });
      await assertAxeClean(page, "the Forge review insights page with charts");
      assert.deepEqual(errors, []);
      assert.ok(calls.some((c) => c.method === "PUT" && /\/forge\/api\/repositories\/[^/]+\/insights$/.test(c.path)), JSON.stringify(calls.map((c) => `${c.method} ${c.path}`)));
      assert.ok(f.fake.callsTo("GET", /\/pullrequests\/\d+\/activity$/).length > 0, "the backfill read activity from Bitbucket");
      assert.ok(f.fake.callsTo("GET", /\/pullrequests/).every((c) => c.auth.kind === "bearer"), "Forge's system token, never Connect's JWT");
    } finally {
      await page.close();
      await site.close();
    }
  });
});
