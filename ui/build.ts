import fs from "node:fs";
import path from "node:path";
import { build, type BuildOptions } from "esbuild";

/**
 * Bundles every `ui/pages/<name>.tsx` into `static/build/<name>.js` (+ `<name>.css` when the page
 * imports CSS), minified, for the browser. `npm run build:ui`; `npm start` and `npm test` build first.
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
  };
}

export async function buildUi(outdir = OUT_DIR): Promise<string[]> {
  const entries = pageEntries();
  fs.mkdirSync(outdir, { recursive: true });
  if (Object.keys(entries).length === 0) return [];
  await build(buildOptions(entries, outdir));
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
