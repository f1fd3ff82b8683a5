/**
 * Page weight (issue 17, goal 3): the JavaScript each page loads before its first render,
 * gzip-compressed (level 9), against the goals (review radar ≤ 150 KiB, settings ≤ 250 KiB), for
 * the Connect pages (`ui/build.ts`: entry + its static imports, as `static/build/manifest.json`
 * lists them) and the Forge Custom UI resources (`ui/forge/build.ts`: `main.js` + its modulepreload
 * chunks). Both built afresh into a temporary folder. Sizes, not timings: the machine's load does
 * not change them.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { buildUi } from "../ui/build";
import { buildForgeResource, FORGE_RESOURCES, forgeJsWeight } from "../ui/forge/build";
import { readAssetManifest } from "../src/web/static-assets";
import { fmt, type BenchOptions, type BenchResult, type BenchRow } from "./lib/report";

const GOAL_KIB: Record<string, number> = { "review-radar": 150, settings: 250 };

const gzKiB = (file: string) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length / 1024;

function row(host: string, page: string, firstKiB: number, allKiB: number, files: number): BenchRow {
  const goal = GOAL_KIB[page];
  const ratio = goal ? firstKiB / goal : null;
  return {
    host,
    page,
    "JS files at first render": files,
    "KiB gzip at first render": fmt(firstKiB, 1),
    "KiB gzip in all (lazy chunks too)": fmt(allKiB, 1),
    "goal KiB": goal ?? "—",
    "ratio (≤ 1)": ratio === null ? "—" : `${fmt(ratio, 2)}${ratio <= 1 ? "" : " ✗"}`,
  };
}

export async function run(o: BenchOptions): Promise<BenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-page-weight-"));
  const rows: BenchRow[] = [];
  try {
    o.log("  building the Connect pages and the Forge resources…");
    const staticDir = path.join(dir, "static");
    const outdir = path.join(staticDir, "build");
    await buildUi(outdir);
    const manifest = readAssetManifest(staticDir);
    if (!manifest) throw new Error("the page build wrote no manifest");
    const allJs = fs.readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
    for (const [page, a] of Object.entries(manifest.pages)) {
      const first = [a.script, ...a.preload];
      // "in all" for a Connect page: every JS file of the build (chunks are shared between pages).
      rows.push(row("Connect", page, first.reduce((n, f) => n + gzKiB(path.join(outdir, f)), 0), allJs.reduce((n, f) => n + gzKiB(path.join(outdir, f)), 0), first.length));
    }
    for (const folder of Object.keys(FORGE_RESOURCES)) {
      const out = await buildForgeResource(folder, path.join(dir, "forge"));
      const w = forgeJsWeight(out);
      const files = 1 + [...fs.readFileSync(path.join(out, "index.html"), "utf8").matchAll(/rel="modulepreload"/g)].length;
      rows.push(row("Forge", folder, w.firstRender / 1024, w.all / 1024, files));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return {
    title: "Page weight: JavaScript before the first render, gzip-compressed",
    rows,
    notes: [
      "First render = a Connect page's entry and its static imports (static/build/manifest.json); a Forge resource's main.js and the chunks index.html preloads (its static imports, the page's chunk and the page chunk's static imports). Chunks a page loads lazily (notices, themes) count only in the last column.",
      "Goals (issue 17, goal 3): review radar ≤ 150 KiB, settings ≤ 250 KiB; gzip level 9 (what static/build serves precompressed).",
    ],
  };
}
