import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { lazyPackagesPlugin, ROOT } from "../../scripts/build-server";

/**
 * The compiled server's lazy packages (scripts/build-server.ts): a named, default or namespace
 * import of one loads nothing at start-up, and the first use of an export loads the real module
 * and behaves as the module itself.
 */
describe("Build: lazily loaded packages", function () {
  this.timeout(60_000);

  it("load on first use, through named, default and namespace imports", async () => {
    fs.mkdirSync(path.join(ROOT, "test-artifacts"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(ROOT, "test-artifacts", "lazy-"));
    try {
      const contents = `
        import { parse, stringify } from "yaml";
        import pg from "pg";
        import * as tar from "tar-stream";
        const isLoaded = (p) => Object.keys(require.cache).some((f) => f.includes("/node_modules/" + p + "/"));
        const before = { yaml: isLoaded("yaml"), pg: isLoaded("pg"), tar: isLoaded("tar-stream") };
        const parsed = parse("a: 1\\nb: [x, y]");
        const dumped = stringify({ c: 2 });
        const parser = typeof pg.types.setTypeParser;
        const pool = typeof pg.Pool;
        const pack = tar.pack();
        const namespaceKeys = Object.keys(tar).sort();
        const after = { yaml: isLoaded("yaml"), pg: isLoaded("pg"), tar: isLoaded("tar-stream") };
        console.log(JSON.stringify({ before, parsed, dumped, parser, pool, packs: typeof pack.entry, namespaceKeys, after }));
      `;
      const out = path.join(dir, "entry.js");
      await build({
        stdin: { contents, resolveDir: ROOT, loader: "js", sourcefile: "entry.js" },
        outfile: out,
        bundle: true,
        platform: "node",
        format: "cjs",
        packages: "external",
        plugins: [lazyPackagesPlugin(["yaml", "pg", "tar-stream"])],
        logLevel: "warning",
      });
      const result = JSON.parse(execFileSync(process.execPath, [out], { cwd: ROOT, encoding: "utf8" })) as Record<string, unknown>;
      assert.deepEqual(result.before, { yaml: false, pg: false, tar: false });
      assert.deepEqual(result.parsed, { a: 1, b: ["x", "y"] });
      assert.equal(result.dumped, "c: 2\n");
      assert.equal(result.parser, "function");
      assert.equal(result.pool, "function");
      assert.equal(result.packs, "function");
      assert.deepEqual(result.namespaceKeys, ["default", "extract", "pack"]);
      assert.deepEqual(result.after, { yaml: true, pg: true, tar: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
