import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";
import { ASSET_MANIFEST, type AssetManifest, type PageAssets } from "../src/web/static-assets";

/**
 * Bundles every `ui/pages/<name>.tsx` into `static/build/`: ES modules split into shared, lazily
 * loaded chunks, minified, production React, every file named by its content hash
 * (`review-radar-5XQ2K7ZB.js`), each precompressed next to itself (`.gz`, `.br`), and
 * `manifest.json` saying which files a page loads (`src/web/static-assets.ts` reads it for the page
 * shell and serves the files). `npm run build:ui`; `npm start` and `npm test` build first.
 */
export const UI_ROOT = path.resolve(__dirname);
export const PAGES_DIR = path.join(UI_ROOT, "pages");
export const OUT_DIR = path.resolve(UI_ROOT, "..", "static", "build");

export function pageEntries(dir = PAGES_DIR): Record<string, string> {
  const entries: Record<string, string> = {};
  if (!fs.existsSync(dir)) return entries;
  for (const file of fs.readdirSync(dir)) {
    if (!file.endsWith(".tsx")) continue;
    entries[file.slice(0, -".tsx".length)] = path.join(dir, file);
  }
  return entries;
}

/** Atlaskit's feature-gate client (Statsig) replaced by the answer it gives uninitialised: `ui/lib/feature-gates-off.ts`. */
export const featureGatesOff: Plugin = {
  name: "feature-gates-off",
  setup(b) {
    b.onResolve({ filter: /^@atlaskit\/feature-gate-js-client(\/feature-gates)?$/ }, () => ({ path: path.join(UI_ROOT, "lib", "feature-gates-off.ts") }));
  },
};

export function buildOptions(entries: Record<string, string>, outdir = OUT_DIR): BuildOptions {
  return {
    entryPoints: entries,
    outdir,
    bundle: true,
    minify: true,
    sourcemap: false,
    format: "iife",
    platform: "browser",
    target: ["chrome109", "firefox115", "safari16"],
    jsx: "automatic",
    loader: { ".svg": "dataurl", ".png": "dataurl", ".woff": "dataurl", ".woff2": "dataurl" },
    define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
    legalComments: "none",
    logLevel: "warning",
    plugins: [featureGatesOff],
  };
}

/** The page build: ES modules with code splitting (`import()` becomes a chunk fetched on demand) and hashed names. */
export function pageBuildOptions(entries: Record<string, string>, outdir = OUT_DIR): BuildOptions {
  return {
    ...buildOptions(entries, outdir),
    format: "esm",
    splitting: true,
    entryNames: "[name]-[hash]",
    chunkNames: "chunks/[name]-[hash]",
    assetNames: "assets/[name]-[hash]",
    metafile: true,
  };
}

/** Output path (relative to `outdir`) → the page's files: its entry, every chunk it imports statically (transitively), its CSS. */
export function manifestOf(meta: Metafile, entries: Record<string, string>, outdir: string): AssetManifest {
  const rel = (p: string) => path.relative(outdir, path.resolve(p)).split(path.sep).join("/");
  const byInput = new Map<string, string>();
  for (const [out, o] of Object.entries(meta.outputs)) if (o.entryPoint) byInput.set(path.resolve(o.entryPoint), out);
  const pages: Record<string, PageAssets> = {};
  for (const [name, input] of Object.entries(entries)) {
    const entry = byInput.get(path.resolve(input));
    if (!entry) throw new Error(`esbuild wrote no output for ${input}`);
    const preload: string[] = [];
    const seen = new Set([entry]);
    const walk = (out: string) => {
      for (const imp of meta.outputs[out]?.imports ?? []) {
        if (imp.kind !== "import-statement" || imp.external || seen.has(imp.path)) continue;
        seen.add(imp.path);
        preload.push(rel(imp.path));
        walk(imp.path);
      }
    };
    walk(entry);
    const css = meta.outputs[entry]?.cssBundle;
    pages[name] = { script: rel(entry), preload, css: css ? rel(css) : null };
  }
  return { pages };
}

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/**
 * Writes `<file>.gz` (gzip -9) and `<file>.br` (brotli 11) beside every JS/CSS output, for serving
 * without compressing per request; on libuv's thread pool, all files at once.
 */
export async function precompress(files: string[]): Promise<void> {
  await Promise.all(
    files
      .filter((f) => /\.(js|css|svg)$/.test(f))
      .map(async (file) => {
        const data = await fs.promises.readFile(file);
        const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length };
        const [gz, br] = await Promise.all([gzip(data, { level: 9 }), brotli(data, { params })]);
        await Promise.all([fs.promises.writeFile(`${file}.gz`, gz), fs.promises.writeFile(`${file}.br`, br)]);
      }),
  );
}

/** Builds every page into an emptied `outdir`; returns the page names. */
export async function buildUi(outdir = OUT_DIR): Promise<string[]> {
  const entries = pageEntries();
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  if (Object.keys(entries).length === 0) return [];
  const result = await build(pageBuildOptions(entries, outdir));
  await precompress(Object.keys(result.metafile!.outputs).map((o) => path.resolve(o)));
  fs.writeFileSync(path.join(outdir, ASSET_MANIFEST), JSON.stringify(manifestOf(result.metafile!, entries, outdir), null, 2));
  return Object.keys(entries);
}

if (require.main === module) {
  const started = Date.now();
  buildUi()
    .then((pages) => {
      process.stdout.write(`built ${pages.length} page(s) into ${path.relative(process.cwd(), OUT_DIR)} in ${Date.now() - started} ms: ${pages.join(", ")}\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
