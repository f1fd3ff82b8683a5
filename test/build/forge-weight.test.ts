import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildForgeResource, forgeJsWeight } from "../../ui/forge/build";

/** Issue 17, goal 3, for the Forge Custom UI resources: JavaScript gzip-compressed the first render loads. */
const BUDGET_KIB: Record<string, number> = { "review-radar": 150, settings: 250 };

/**
 * The Forge resources are built like the Connect pages: ES modules split into chunks, the entry a
 * module script, the first render's chunks preloaded, nothing inline (Custom UI CSP), and within the
 * page weight budgets.
 */
describe("Build: Forge Custom UI resources as split ES modules", function () {
  this.timeout(180_000);
  const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "relay-forge-weight-"));
  after(() => fs.rmSync(outRoot, { recursive: true, force: true }));

  for (const [folder, budget] of Object.entries(BUDGET_KIB)) {
    it(`${folder}: a module entry, preloaded chunks that exist, at most ${budget} KiB JS gzip at first render`, async () => {
      const out = await buildForgeResource(folder, outRoot);
      const html = fs.readFileSync(path.join(out, "index.html"), "utf8");
      assert.match(html, /<script type="module" src="\.\/main\.js"><\/script>/);
      assert.doesNotMatch(html, /<script[^>]*>[^<]/, "no inline script (Forge CSP)");
      const preload = [...html.matchAll(/rel="modulepreload" href="\.\/([^"]+)"/g)].map((m) => m[1]!);
      assert.ok(preload.length > 0, "the page's chunk is preloaded");
      for (const f of preload) assert.ok(fs.existsSync(path.join(out, f)), `${f} exists`);
      assert.ok(fs.readdirSync(path.join(out, "chunks")).some((f) => f.endsWith(".js")), "split into chunks");
      const { firstRender, all } = forgeJsWeight(out);
      process.stdout.write(`      ${folder}: ${(firstRender / 1024).toFixed(1)} KiB JS gzip at first render, ${(all / 1024).toFixed(1)} KiB in all\n`);
      assert.ok(firstRender <= budget * 1024, `${(firstRender / 1024).toFixed(1)} KiB over ${budget} KiB`);
      assert.ok(firstRender < all, "lazily loaded chunks are not loaded at first render");
    });
  }
});
