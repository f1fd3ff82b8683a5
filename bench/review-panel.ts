/**
 * Review radar panel with 500 open pull requests: Bitbucket calls and response time, cold (empty
 * cache) and warm (cache valid), against the fake Bitbucket with a realistic per-call latency; the
 * page's start-up JavaScript (gzip); and warm page loads in headless Chromium at the sidebar's width
 * (navigation start → first section rendered; HTTP cache and the app's PR cache warm).
 *   npx tsx bench/review-panel.ts [--prs 500] [--latency 40] [--loads 20]
 */
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Harness } from "../test/helpers/harness";
import { launchChromium } from "../test/helpers/browser";
import { reviewRadar } from "../src/integrations/review-radar";
import type { PanelView } from "../src/integrations/review-radar/model";
import { STATIC_DIR } from "../src/web/pages/page-shell";
import { readAssetManifest } from "../src/web/static-assets";
import { buildUi } from "../ui/build";
import { panelUrl, seed500, session } from "../test/integrations/review-radar/helpers";

/** Issue 17, goal 3. */
const GOAL_GZ_KIB = 150;
const GOAL_WARM_P95_MS = 300;

function startupJs(page: string): { files: number; gzKiB: number } {
  const a = readAssetManifest(STATIC_DIR)?.pages[page];
  if (!a) throw new Error(`${page} is not built`);
  const files = [a.script, ...a.preload];
  const gz = files.reduce((n, f) => n + fs.statSync(path.join(STATIC_DIR, "build", `${f}.gz`)).size, 0);
  return { files: files.length, gzKiB: gz / 1024 };
}

/** p-th percentile (nearest rank) of ascending `sorted`. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Medians of where a warm load's time went (set by chromiumLoads). */
let breakdown = "";

/** `loads` warm loads of the panel page at 360 px: ms from navigation start to the list on screen (rAF-polled). */
async function chromiumLoads(h: Harness, loads: number): Promise<{ times: number[]; fromCache: number; scripts: number }> {
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 900 } });
    const page = await ctx.newPage();
    const url = `${h.url}${panelUrl(h)}`;
    const once = async () => {
      await page.goto(url, { waitUntil: "commit" });
      const at = await page.waitForFunction(() => (document.querySelector('[data-testid="section-needsYourReview"]') ? globalThis.performance.now() : 0), undefined, { polling: "raf", timeout: 30_000 });
      return (await at.jsonValue()) as number;
    };
    /** Where a load's time went (ms from navigation start), read from the page's own Performance entries. */
    const phases = () =>
      page.evaluate(() => {
        const nav = globalThis.performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        const api = (globalThis.performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter((e) => e.name.includes("/api/"));
        return {
          html: nav.responseEnd,
          scriptsRun: nav.domContentLoadedEventEnd,
          apiStart: api.length ? Math.min(...api.map((e) => e.startTime)) : NaN,
          apiEnd: api.length ? Math.max(...api.map((e) => e.responseEnd)) : NaN,
        };
      });
    await once(); // fills the HTTP cache (immutable bundles) and the theme chunks
    const times: number[] = [];
    const split: Array<{ html: number; scriptsRun: number; apiStart: number; apiEnd: number; list: number }> = [];
    for (let i = 0; i < loads; i++) {
      const list = await once();
      times.push(list);
      split.push({ ...(await phases()), list });
    }
    const med = (k: keyof (typeof split)[number]) => percentile(split.map((x) => x[k]).sort((a, b) => a - b), 50);
    breakdown = `HTML received ${med("html").toFixed(0)}, module scripts run (DOMContentLoaded) ${med("scriptsRun").toFixed(0)}, data requests ${med("apiStart").toFixed(0)} → ${med("apiEnd").toFixed(0)}, list on screen ${med("list").toFixed(0)}`;
    // Of the last load: static files the browser took from its cache (transferSize 0) without asking.
    const cached = await page.evaluate(() =>
      (globalThis.performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter((e) => e.name.includes("/static/")).map((e) => e.transferSize === 0),
    );
    await ctx.close();
    return { times: times.sort((a, b) => a - b), fromCache: cached.filter(Boolean).length, scripts: cached.length };
  } finally {
    await browser.close();
  }
}

interface LoadResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
}
// autocannon ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require("autocannon") as (o: { url: string; headers: Record<string, string>; connections: number; duration: number }) => Promise<LoadResult>;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const prs = arg("prs", 500);
  const latency = arg("latency", 40);
  const loads = arg("loads", 20);
  process.env.TEST_LOG_LEVEL = "silent";
  if (!readAssetManifest(STATIC_DIR)) await buildUi();
  const h = await Harness.start({ integrations: [{ ...reviewRadar, background: undefined }] });
  try {
    if (prs !== 500) throw new Error("the seeded repository has 500 open PRs (test/integrations/review-radar/helpers.ts seed500)");
    seed500(h);
    const token = await session(h);
    h.fake.setLatency(latency);
    const path = `/connect/api/review-radar/panel?repoUuid=${encodeURIComponent(h.repo.uuid)}`;
    const headers = { authorization: `JWT ${token}` };

    h.fake.resetCalls();
    let t = performance.now();
    const cold = await h.get(path, headers);
    const coldMs = performance.now() - t;
    const coldCalls = h.fake.calls.length;
    const view = JSON.parse(cold.text) as PanelView;

    h.fake.resetCalls();
    const warmTimes: number[] = [];
    for (let i = 0; i < 30; i++) {
      t = performance.now();
      await h.get(path, headers);
      warmTimes.push(performance.now() - t);
    }
    const warmCalls = h.fake.calls.length;
    warmTimes.sort((a, b) => a - b);

    h.fake.resetCalls();
    t = performance.now();
    const lookup = await h.post("/connect/api/review-radar/statuses", { repoUuid: h.repo.uuid, commits: view.missingStatuses.slice(0, 50) }, headers);
    const lookupMs = performance.now() - t;
    const lookupCalls = h.fake.calls.length;
    h.fake.resetCalls();
    await h.post("/connect/api/review-radar/statuses", { repoUuid: h.repo.uuid, commits: view.missingStatuses.slice(0, 50) }, headers);
    const lookupWarmCalls = h.fake.calls.length;

    const load = await autocannon({ url: `${h.url}${path}`, headers, connections: 4, duration: 5 });
    const loadCalls = h.fake.calls.length;

    const shown = view.sections.reduce((n, s) => n + s.rows.length, 0);
    h.fake.setLatency(0); // the browser loads measure the page, on a warm list cache
    const loadAvg = (await import("node:os")).loadavg()[0]!;
    const { times: browserMs, fromCache, scripts } = await chromiumLoads(h, loads);
    const js = startupJs("review-radar");
    const p95 = percentile(browserMs, 95);
    const lines = [
      `review radar panel — ${prs} open PRs, fake Bitbucket latency ${latency} ms per call`,
      `  cold  (empty cache): ${coldCalls} Bitbucket calls, ${coldMs.toFixed(0)} ms, HTTP ${cold.status}, ${view.openPullRequests} PRs, ${shown} rows shown`,
      `  warm  (cache valid): ${warmCalls} Bitbucket calls over 30 loads, p50 ${warmTimes[15]!.toFixed(1)} ms, p95 ${warmTimes[28]!.toFixed(1)} ms`,
      `  load  (warm, 4 connections, 5 s): ${load.requests.average.toFixed(0)} req/s, p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, ${load.non2xx} non-2xx, ${loadCalls} Bitbucket calls`,
      `  build statuses of shown rows not known from webhooks: ${Math.min(50, view.missingStatuses.length)} commits → ${lookupCalls} calls (${lookupMs.toFixed(0)} ms, ${lookup.status}); again: ${lookupWarmCalls} calls`,
      `  cold panel calls: ${coldCalls} list pages + ${view.missingStatuses.length} status lookups for ${shown} shown rows (goal ≤ 10 + shown rows) — ${coldCalls <= 10 && view.missingStatuses.length <= shown ? "met" : "NOT met"}`,
      `  page JS at start: ${js.files} files, ${js.gzKiB.toFixed(1)} KiB gzip (goal ≤ ${GOAL_GZ_KIB}, ratio ${(js.gzKiB / GOAL_GZ_KIB).toFixed(2)}) — ${js.gzKiB <= GOAL_GZ_KIB ? "met" : "NOT met"}`,
      `  Chromium warm load at 360 px, navigation → list: ${loads} loads, p50 ${percentile(browserMs, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${browserMs[browserMs.length - 1]!.toFixed(0)} ms (goal p95 ≤ ${GOAL_WARM_P95_MS}, ratio ${(p95 / GOAL_WARM_P95_MS).toFixed(2)}) — ${p95 <= GOAL_WARM_P95_MS ? "met" : "NOT met"}; ${fromCache}/${scripts} static files from the browser cache; load average ${loadAvg.toFixed(1)} on ${(await import("node:os")).cpus().length} cores`,
      `  warm load, median ms from navigation start: ${breakdown}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await h.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
