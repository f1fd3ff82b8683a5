/**
 * End to end: a Buildkite event (EventBridge API destination) arrives at the app → stored → routed →
 * the build status call reaches the fake Bitbucket. Time from just before the event is sent to the
 * fake's arrival stamp of the status POST for that commit, p50/p99, on SQLite (and PostgreSQL when
 * BENCH_DATABASE_URL is set). Events are sent one every 250 ms, then one every 50 ms
 * (BENCH_E2E_INTERVALS_MS), for BENCH_SECONDS each.
 */
import { request } from "undici";
import { FakeBitbucket } from "../test/fakes/bitbucket";
import { startAppProcess } from "./lib/app-process";
import { benchDatabaseKinds, dropDatabase, freshDatabase, type BenchDatabase } from "./lib/database";
import { eventBridgeEvent, newTenant, randomSha } from "./lib/payloads";
import { fmt, type BenchOptions, type BenchResult, type BenchRow } from "./lib/report";
import { summarize } from "./lib/stats";

/** Paces (ms between events): a light and a busier stream. */
const INTERVALS_MS = (process.env.BENCH_E2E_INTERVALS_MS ?? "250,50").split(",").map(Number);
const BITBUCKET_LATENCY_MS = Number(process.env.BENCH_E2E_BITBUCKET_MS ?? 50);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(label: BenchDatabase["label"], intervalMs: number, o: BenchOptions): Promise<BenchRow> {
  const fake = await FakeBitbucket.start({ latencyMs: BITBUCKET_LATENCY_MS });
  const db = await freshDatabase(label);
  const app = await startAppProcess(fake, newTenant(), db);
  try {
    const count = Math.max(10, Math.floor((o.seconds * 1000) / intervalMs));
    o.log(`  ${count} Buildkite events on ${label}, one every ${intervalMs} ms…`);
    const sentAt = new Map<string, number>();
    const acks: Array<Promise<number>> = [];
    for (let i = 1; i <= count; i++) {
      const sha = randomSha();
      const ev = eventBridgeEvent(app.installationId, app.apiKey, sha, i);
      sentAt.set(sha, Date.now());
      acks.push(
        request(`${app.url}${ev.path}`, { method: ev.method, headers: ev.headers, body: ev.body }).then(async (r) => {
          await r.body.text();
          return r.statusCode;
        }),
      );
      await sleep(intervalMs);
    }
    const statuses = await Promise.all(acks);
    const deadline = Date.now() + 60_000;
    const arrived = () => fake.callsTo("POST", /\/commit\/[0-9a-f]{40}\/statuses\/build$/);
    while (new Set(arrived().map((c) => c.path)).size < count && Date.now() < deadline) await sleep(50);
    const firstCall = new Map<string, number>();
    for (const c of arrived()) {
      const sha = /\/commit\/([0-9a-f]{40})\//.exec(c.path)?.[1];
      if (sha && !firstCall.has(sha)) firstCall.set(sha, c.at);
    }
    const latencies = [...sentAt].flatMap(([sha, t]) => (firstCall.has(sha) ? [firstCall.get(sha)! - t] : []));
    const s = summarize(latencies);
    return {
      database: label,
      "events/s": fmt(1000 / intervalMs, 0),
      events: count,
      "acked 2xx": statuses.filter((x) => x >= 200 && x < 300).length,
      "statuses arrived": latencies.length,
      "p50 ms": s.p50,
      "p99 ms": s.p99,
      "mean ms": fmt(s.mean),
      "max ms": s.max,
    };
  } finally {
    await app.stop();
    await fake.close();
    await dropDatabase(db).catch(() => undefined);
  }
}

export async function run(o: BenchOptions): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  for (const label of benchDatabaseKinds()) for (const interval of INTERVALS_MS) rows.push(await measure(label, interval, o));
  return {
    title: "End to end: Buildkite event arrival → status call at the fake Bitbucket",
    rows,
    notes: [
      `EventBridge API-destination deliveries (reference "Build Finished" event, a new commit each), at the paces shown; the fake Bitbucket answers in ${BITBUCKET_LATENCY_MS} ms (its arrival stamp is taken before that delay).`,
      "App in its own process, NODE_ENV=production, every integration, default worker settings (concurrency 4); the same clock stamps both ends.",
    ],
  };
}
