import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { build } from "esbuild";
import { buildOptions, pageEntries } from "../../ui/build";

/** Issue 17, goal 3: the settings page's JavaScript, gzip-compressed, at most 250 KiB. */
const BUDGET_BYTES = 250 * 1024;

/**
 * The settings page's weight, built with the production options of `npm run build:ui` (minified,
 * `process.env.NODE_ENV` "production"): every JavaScript file the entry produces, gzip-compressed,
 * within the budget; one copy of React.
 */
describe("Build: settings page weight", function () {
  this.timeout(600_000); // a generous bound: builds and child processes on a loaded machine

  it("is at most 250 KiB of JavaScript gzip-compressed, with one React", async () => {
    const root = path.resolve(__dirname, "../..");
    fs.mkdirSync(path.join(root, "test-artifacts"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(root, "test-artifacts", "weight-"));
    try {
      const entry = pageEntries().settings;
      assert.ok(entry, "ui/pages/settings.tsx exists");
      const result = await build({ ...buildOptions({ settings: entry }, dir), metafile: true, write: true });
      const js = Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".js"));
      assert.ok(js.length > 0);
      const gzipped = js.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(path.resolve(root, f)), { level: 9 }).length, 0);
      process.stdout.write(`      settings page: ${(gzipped / 1024).toFixed(1)} KiB JS gzip (budget ${BUDGET_BYTES / 1024} KiB)\n`);
      assert.ok(gzipped <= BUDGET_BYTES, `settings page JS is ${(gzipped / 1024).toFixed(1)} KiB gzip, over ${BUDGET_BYTES / 1024} KiB`);

      // One React: every bundled file of react / react-dom comes from the one installed copy.
      const inputs = Object.keys(result.metafile.inputs);
      const copies = new Set(inputs.map((f) => /^(.*node_modules\/react(?:-dom)?)\//.exec(f)?.[1]).filter(Boolean));
      assert.equal(copies.size, 2, `react and react-dom once each: ${[...copies].join(", ")}`);
      assert.ok(!inputs.some((f) => f.includes("react.development") || f.includes("react-dom.development")), "production builds of React only");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
