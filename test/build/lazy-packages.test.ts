import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { LAZY_FILES, lazyPackagesPlugin, ROOT } from "../../scripts/build-server";

/**
 * The compiled server's lazy packages (scripts/build-server.ts): a named, default or namespace
 * import of one loads nothing at start-up, and the first use of an export loads the real module
 * and behaves as the module itself.
 */
describe("Build: lazily loaded packages", function () {
  this.timeout(300_000); // a generous bound on a loaded machine

  it("load on first use, through named, default and namespace imports", async () => {
    fs.mkdirSync(path.join(ROOT, "test-artifacts"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(ROOT, "test-artifacts", "lazy-"));
    try {
      const contents = `
        import { parse, stringify } from "yaml";
        import pg from "pg";
        import * as tar from "tar-stream";
        import createDebug from "debug";
        const isLoaded = (p) => Object.keys(require.cache).some((f) => f.includes("/node_modules/" + p + "/"));
        const before = { yaml: isLoaded("yaml"), pg: isLoaded("pg"), tar: isLoaded("tar-stream"), debug: isLoaded("debug") };
        const called = typeof createDebug("relay:test"); // a package that is a function is called through its stand-in
        const parsed = parse("a: 1\\nb: [x, y]");
        const dumped = stringify({ c: 2 });
        const parser = typeof pg.types.setTypeParser;
        const pool = typeof pg.Pool;
        const pack = tar.pack();
        const namespaceKeys = Object.keys(tar).sort();
        const after = { yaml: isLoaded("yaml"), pg: isLoaded("pg"), tar: isLoaded("tar-stream"), debug: isLoaded("debug") };
        console.log(JSON.stringify({ before, called, parsed, dumped, parser, pool, packs: typeof pack.entry, namespaceKeys, after }));
      `;
      const out = path.join(dir, "entry.js");
      await build({
        stdin: { contents, resolveDir: ROOT, loader: "js", sourcefile: "entry.js" },
        outfile: out,
        bundle: true,
        platform: "node",
        format: "cjs",
        packages: "external",
        plugins: [lazyPackagesPlugin(["yaml", "pg", "tar-stream", "debug"], [])],
        logLevel: "warning",
      });
      const result = JSON.parse(execFileSync(process.execPath, [out], { cwd: ROOT, encoding: "utf8" })) as Record<string, unknown>;
      assert.deepEqual(result.before, { yaml: false, pg: false, tar: false, debug: false });
      assert.equal(result.called, "function");
      assert.deepEqual(result.parsed, { a: 1, b: ["x", "y"] });
      assert.equal(result.dumped, "c: 2\n");
      assert.equal(result.parser, "function");
      assert.equal(result.pool, "function");
      assert.equal(result.packs, "function");
      assert.deepEqual(result.namespaceKeys, ["default", "extract", "pack"]);
      assert.deepEqual(result.after, { yaml: true, pg: true, tar: true, debug: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leave a bundled package's file out until used (umzug's command line)", async () => {
    fs.mkdirSync(path.join(ROOT, "test-artifacts"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(ROOT, "test-artifacts", "lazy-"));
    try {
      const contents = `
        import { Umzug, UmzugCLI, memoryStorage } from "umzug";
        const isLoaded = (p) => Object.keys(require.cache).some((f) => f.includes("/node_modules/" + p + "/"));
        const umzug = new Umzug({ migrations: [{ name: "a", up: async () => undefined }], storage: memoryStorage(), logger: undefined });
        umzug.up().then((done) => {
          const before = isLoaded("@rushstack/ts-command-line");
          const cli = typeof UmzugCLI;
          console.log(JSON.stringify({ done: done.map((m) => m.name), before, cli, after: isLoaded("@rushstack/ts-command-line") }));
        });
      `;
      const out = path.join(dir, "entry.js");
      const result = await build({
        stdin: { contents, resolveDir: ROOT, loader: "js", sourcefile: "entry.js" },
        outfile: out,
        bundle: true,
        platform: "node",
        format: "cjs",
        plugins: [lazyPackagesPlugin([], LAZY_FILES)],
        metafile: true,
        logLevel: "warning",
      });
      assert.ok(Object.keys(result.metafile.inputs).some((f) => f.includes("node_modules/umzug/lib/umzug.js")), "umzug itself is bundled");
      assert.ok(!Object.keys(result.metafile.inputs).some((f) => f.includes("@rushstack")), "its command line is not");
      const run = JSON.parse(execFileSync(process.execPath, [out], { cwd: ROOT, encoding: "utf8" })) as Record<string, unknown>;
      assert.deepEqual(run, { done: ["a"], before: false, cli: "function", after: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
