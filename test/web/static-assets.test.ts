import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { request } from "undici";
import { Harness } from "../helpers/harness";
import { STATIC_DIR } from "../../src/web/pages/page-shell";
import { readAssetManifest } from "../../src/web/static-assets";

const BUILD = path.join(STATIC_DIR, "build");
const KiB = 1024;
/** Issue 17, goal 3: JavaScript a page loads before it renders, gzip-compressed. */
const BUDGET_GZ = { "review-radar": 150 * KiB, "review-insights": 250 * KiB } as const;

/** Bytes of the page's entry and every chunk it imports statically, raw and as served gzip/brotli. */
function pageWeight(page: string): { raw: number; gz: number; br: number; files: number } {
  const assets = readAssetManifest(STATIC_DIR)?.pages[page];
  if (!assets) throw new Error(`${page} is not built (npm run build:ui)`);
  const files = [assets.script, ...assets.preload].map((f) => path.join(BUILD, f));
  const size = (f: string) => fs.statSync(f).size;
  return { raw: files.reduce((n, f) => n + size(f), 0), gz: files.reduce((n, f) => n + size(`${f}.gz`), 0), br: files.reduce((n, f) => n + size(`${f}.br`), 0), files: files.length };
}

describe("Static page assets: weight, hashed names, caching, compression", () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start({ integrations: [] });
  });
  after(() => h.close());

  it("keeps start-up JavaScript within budget (review radar 150 KiB, review insights 250 KiB gzip), and prints every page's weight", () => {
    const manifest = readAssetManifest(STATIC_DIR)!;
    for (const page of Object.keys(manifest.pages)) {
      const w = pageWeight(page);
      process.stdout.write(`      ${page}: ${w.files} JS files at start, ${(w.raw / KiB).toFixed(0)} KiB raw, ${(w.gz / KiB).toFixed(1)} KiB gzip, ${(w.br / KiB).toFixed(1)} KiB brotli\n`);
    }
    for (const [page, budget] of Object.entries(BUDGET_GZ)) assert.ok(pageWeight(page).gz <= budget, `${page}: ${pageWeight(page).gz} B gzip > ${budget} B`);
  });

  it("serves hashed files cached for a year as immutable, brotli or gzip as the browser accepts", async () => {
    const script = readAssetManifest(STATIC_DIR)!.pages["review-radar"]!.script;
    const file = path.join(BUILD, script);
    const url = `${h.url}/static/build/${script}`;
    for (const [accept, encoding, decode] of [
      ["br, gzip", "br", zlib.brotliDecompressSync],
      ["gzip, deflate", "gzip", zlib.gunzipSync],
      ["identity", undefined, (b: Buffer) => b],
    ] as const) {
      const res = await request(url, { headers: { "accept-encoding": accept } });
      const body = Buffer.from(await res.body.arrayBuffer());
      assert.equal(res.statusCode, 200, accept);
      assert.equal(res.headers["cache-control"], "public, max-age=31536000, immutable", accept);
      assert.equal(res.headers["content-encoding"], encoding, accept);
      assert.match(String(res.headers["content-type"]), /^text\/javascript/, accept);
      assert.match(String(res.headers.vary), /Accept-Encoding/i, accept);
      assert.ok(decode(body).equals(fs.readFileSync(file)), `${accept}: the decoded body is the bundle`);
    }
  });

  it("does not serve the manifest, unhashed names or the compressed twins by their own names", async () => {
    const script = readAssetManifest(STATIC_DIR)!.pages["review-radar"]!.script;
    for (const p of ["manifest.json", "review-radar.js", `${script}.br`, `${script}.gz`, "../package.json", "%2e%2e/package.json"]) {
      const res = await request(`${h.url}/static/build/${p}`);
      await res.body.text();
      assert.equal(res.statusCode, 404, p);
    }
  });
});
