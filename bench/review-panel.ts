/**
 * Review radar panel with 500 open pull requests: Bitbucket calls and response time, cold (empty
 * cache) and warm (cache valid), against the fake Bitbucket with a realistic per-call latency.
 *   npx tsx bench/review-panel.ts [--prs 500] [--latency 40]
 */
import { performance } from "node:perf_hooks";
import { Harness } from "../test/helpers/harness";
import { reviewRadar } from "../src/integrations/review-radar";
import type { PanelView } from "../src/integrations/review-radar/model";
import { addPr, ago, DAY, PEOPLE, session } from "../test/integrations/review-radar/helpers";

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
  process.env.TEST_LOG_LEVEL = "silent";
  const h = await Harness.start({ integrations: [{ ...reviewRadar, background: undefined }] });
  try {
    const people = [PEOPLE.viewer, PEOPLE.bob, PEOPLE.carol];
    for (let i = 1; i <= prs; i++) {
      addPr(h, {
        id: i,
        created_on: ago((i % 200) * 0.05 * DAY),
        draft: i % 25 === 0,
        participants: [
          { user: people[i % 3]!, role: "REVIEWER", approved: i % 4 === 0, state: i % 4 === 0 ? "approved" : i % 17 === 0 ? "changes_requested" : null },
          { user: people[(i + 1) % 3]!, role: "REVIEWER", approved: i % 6 === 0, state: i % 6 === 0 ? "approved" : null },
        ],
      });
    }
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
    const lines = [
      `review radar panel — ${prs} open PRs, fake Bitbucket latency ${latency} ms per call`,
      `  cold  (empty cache): ${coldCalls} Bitbucket calls, ${coldMs.toFixed(0)} ms, HTTP ${cold.status}, ${view.openPullRequests} PRs, ${shown} rows shown`,
      `  warm  (cache valid): ${warmCalls} Bitbucket calls over 30 loads, p50 ${warmTimes[15]!.toFixed(1)} ms, p95 ${warmTimes[28]!.toFixed(1)} ms`,
      `  load  (warm, 4 connections, 5 s): ${load.requests.average.toFixed(0)} req/s, p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, ${load.non2xx} non-2xx, ${loadCalls} Bitbucket calls`,
      `  build statuses of shown rows not known from webhooks: ${Math.min(50, view.missingStatuses.length)} commits → ${lookupCalls} calls (${lookupMs.toFixed(0)} ms, ${lookup.status}); again: ${lookupWarmCalls} calls`,
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
