import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { builtinModules } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { request } from "undici";
import type { Metafile } from "esbuild";
import { buildServer, LAZY_FILES, LAZY_PACKAGES, ROOT } from "../../scripts/build-server";
import { migrationFiles } from "../../src/db/migration-files";
import { Database } from "../../src/db/database";
import { freePort, stopProcess, waitForListening } from "../../bench/lib/app-process";

/**
 * `npm ci --omit=dev && node dist/main.js` must work: the compiled server may need only packages in
 * package.json `dependencies`. Checked without a second install: (1) every package the bundle
 * requires (esbuild's metafile) is a Node built-in or declared in `dependencies`; (2) the compiled
 * server, started from a fresh build with plain `node` (no tsx, NODE_PATH unset) on a database
 * migrated by the TypeScript sources, serves its routes, and every module file it loaded belongs to
 * a package that `npm ci --omit=dev` installs (package-lock.json entries not marked `dev`).
 */
const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
const LOCK = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
const BUILTINS = new Set(builtinModules);

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function externalPackages(meta: Metafile): Set<string> {
  const names = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || imp.path.startsWith("node:") || BUILTINS.has(imp.path.split("/")[0]!)) continue;
      if (imp.kind === "require-resolve") continue; // a probe for an optional package (fdir's picomatch), nothing loaded
      if (imp.path.startsWith(".") || path.isAbsolute(imp.path)) continue; // the migrations' own files
      names.add(packageName(imp.path));
    }
  }
  return names;
}

/** The package-lock.json key (`node_modules/a/node_modules/b`) of an installed file, or null when not under node_modules. */
function lockKeyOf(file: string, modulesRoot: string): string | null {
  if (!file.startsWith(`${modulesRoot}${path.sep}`)) return null;
  const parts = `node_modules/${path.relative(modulesRoot, file).split(path.sep).join("/")}`.split("/");
  let key: string | null = null;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== "node_modules") continue;
    const n = parts[i + 1]?.startsWith("@") ? 3 : 2;
    key = parts.slice(0, i + n).join("/");
  }
  return key;
}

describe("Production runtime: the compiled server needs only `dependencies`", function () {
  this.timeout(600_000); // a generous bound: builds and child processes on a loaded machine
  let outDir: string;
  let meta: Metafile;

  before(async () => {
    fs.mkdirSync(path.join(ROOT, "test-artifacts"), { recursive: true });
    outDir = fs.mkdtempSync(path.join(ROOT, "test-artifacts", "dist-"));
    meta = await buildServer(outDir);
  });
  after(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it("requires no package that `npm ci --omit=dev` does not install at the top of node_modules", () => {
    const used = externalPackages(meta);
    assert.ok(used.has("sqlite3") && used.has("pg"), "the metafile lists the packages loaded from node_modules");
    // Declared in `dependencies`, or (a lazy package of a bundled dependency, e.g. ACE's `request`)
    // installed by the lockfile at the top of node_modules, where `node dist/main.js` finds it.
    const missing = [...used].filter((p) => !(p in MANIFEST.dependencies) && (!LOCK.packages[`node_modules/${p}`] || LOCK.packages[`node_modules/${p}`]!.dev === true)).sort();
    assert.deepEqual(missing, [], `required by dist/ but not installed by npm ci --omit=dev: ${missing.join(", ")}`);
  });

  it("bundles only files of packages that `npm ci --omit=dev` installs, and one file for the whole server", () => {
    const modulesRoot = fs.realpathSync(path.join(ROOT, "node_modules"));
    const outputs = Object.keys(meta.outputs).filter((f) => f.endsWith(".js"));
    assert.deepEqual(outputs.map((f) => path.basename(f)).sort(), ["main.js", "server.js"], "the entry and the server, the migrations bundled into it");
    const inputs = Object.keys(Object.values(meta.outputs).find((o) => o.entryPoint)!.inputs).map((f) => path.resolve(ROOT, f));
    const keys = new Set(inputs.map((f) => lockKeyOf(f, modulesRoot)).filter((k): k is string => k !== null));
    assert.ok(keys.has("node_modules/express") && keys.has("node_modules/sequelize"), "the start-up packages are bundled");
    const devOnly = [...keys].filter((k) => !LOCK.packages[k] || LOCK.packages[k]!.dev === true).sort();
    assert.deepEqual(devOnly, [], `bundled into dist/ but a dev-only package: ${devOnly.join(", ")}`);
    for (const f of migrationFiles()) assert.ok(inputs.some((i) => i.endsWith(`${path.sep}migrations${path.sep}${f.name}`)), `${f.name} is bundled`);
  });

  it("creates the schema itself on an empty data folder, then starts on it without migrating again", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "relay-runtime-"));
    const sqlite = path.join(work, "relay.sqlite");
    const runs: string[] = [];
    const cacheDir = path.join(outDir, ".compile-cache");
    const caches: Array<Array<{ name: string; mtimeMs: number }>> = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const proc = spawn(process.execPath, [path.join(outDir, "main.js")], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, ALLOW_LOCAL_BASE_URL: "true", SQLITE_FILE: sqlite, ALLOW_SQLITE_IN_PRODUCTION: "true", DATA_DIR: work, ENCRYPTION_KEY: "c".repeat(64), LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
      try {
        await waitForListening(proc, port, () => out);
        const health = await request(`http://127.0.0.1:${port}/healthz`);
        assert.equal(health.statusCode, 200, await health.body.text());
      } finally {
        await stopProcess(proc);
      }
      runs.push(out);
      const names = fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : [];
      caches.push(names.map((name) => ({ name, mtimeMs: fs.statSync(path.join(cacheDir, name)).mtimeMs })));
    }
    // V8's code cache (scripts/dist-main.ts): written once the first start-up listened, taken as it is by the second.
    assert.equal(caches[0]!.length, 1, `one code cache after the first start: ${JSON.stringify(caches[0])}`);
    assert.deepEqual(caches[1], caches[0], "the second start used the cache (a rejected one is written again)");
    const migrated = (log: string) => log.split("\n").filter((l) => l.includes('"database migrated"'));
    assert.equal(migrated(runs[0]!).length, 1, `the first start migrates: ${runs[0]}`);
    assert.deepEqual(migrated(runs[1]!), [], "the second start finds the schema current");
    const db = Database.open({ kind: "sqlite", file: sqlite });
    const [rows] = await db.sequelize.query("SELECT name FROM schema_migrations ORDER BY name");
    await db.close();
    assert.deepEqual((rows as Array<{ name: string }>).map((r) => r.name), migrationFiles().map((f) => f.name), "recorded under the source names, as tsx records them");
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("starts with plain node from dist/, serves its routes and loads no dev-only package", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "relay-runtime-"));
    const sqlite = path.join(work, "relay.sqlite");
    // A database migrated by the sources (tsx), as under `npm start` before it ran compiled code.
    const db = Database.open({ kind: "sqlite", file: sqlite });
    await db.migrate();
    await db.close();

    const loadedList = path.join(work, "loaded.json");
    const probe = path.join(work, "probe.js");
    fs.writeFileSync(probe, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(loadedList)}, JSON.stringify(Object.keys(require.cache))));\n`);
    const port = await freePort();
    const proc = spawn(process.execPath, ["--require", probe, path.join(outDir, "main.js")], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, ALLOW_LOCAL_BASE_URL: "true", SQLITE_FILE: sqlite, ALLOW_SQLITE_IN_PRODUCTION: "true", DATA_DIR: work, ENCRYPTION_KEY: "c".repeat(64), LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      await waitForListening(proc, port, () => stderr);
      const base = `http://127.0.0.1:${port}`;
      const health = await request(`${base}/healthz`);
      assert.equal(health.statusCode, 200, await health.body.text());
      const descriptor = await request(`${base}/atlassian-connect.json`);
      assert.equal(descriptor.statusCode, 200);
      assert.equal(((await descriptor.body.json()) as { key: string }).key, "bitbucket-relay");
      // Static files are found from dist/ too (the page bundles `npm test` builds first).
      const { pages } = JSON.parse(fs.readFileSync(path.join(ROOT, "static", "build", "manifest.json"), "utf8")) as { pages: Record<string, { script: string }> };
      const bundle = await request(`${base}/static/build/${pages.settings!.script}`);
      await bundle.body.text();
      assert.equal(bundle.statusCode, 200);
    } finally {
      await stopProcess(proc);
    }
    assert.equal(proc.exitCode, 0, `exit ${proc.exitCode}: ${stderr}`);

    const modulesRoot = fs.realpathSync(path.join(ROOT, "node_modules"));
    const loaded = JSON.parse(fs.readFileSync(loadedList, "utf8")) as string[];
    const keys = new Set(loaded.map((f) => lockKeyOf(f, modulesRoot)).filter((k): k is string => k !== null));
    assert.ok(keys.has("node_modules/sqlite3"), "the probe saw the server's packages");
    const devOnly = [...keys].filter((k) => !LOCK.packages[k] || LOCK.packages[k]!.dev === true).sort();
    assert.deepEqual(devOnly, [], `loaded by the compiled server, but not installed by npm ci --omit=dev: ${devOnly.join(", ")}`);
    // Packages only some jobs or routes need are not loaded by an idle SQLite instance.
    const lazyLoaded = LAZY_PACKAGES.filter((p) => keys.has(`node_modules/${p}`));
    assert.deepEqual(lazyLoaded, [], `loaded at start-up although lazy: ${lazyLoaded.join(", ")}`);
    const lazyFiles = LAZY_FILES.filter((f) => loaded.some((l) => l.startsWith(path.join(modulesRoot, f.module))));
    assert.deepEqual(lazyFiles, [], `loaded at start-up although lazy: ${lazyFiles.map((f) => f.module).join(", ")}`);
    assert.ok(!keys.has("node_modules/@rushstack/ts-command-line"), "umzug's command line is not loaded");
    // Everything else start-up needs is in dist/main.js: Node reads a handful of files, not ~1,700.
    assert.ok(loaded.length < 40, `${loaded.length} module files loaded at start-up: ${loaded.join(", ")}`);
    fs.rmSync(work, { recursive: true, force: true });
  });
});
