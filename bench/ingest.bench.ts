/**
 * Ingest: signed Bitbucket webhooks, then Buildkite EventBridge events, at 500 req/s for
 * BENCH_SECONDS (60) each, to one app instance (its own process, every integration) on SQLite, then
 * PostgreSQL when BENCH_DATABASE_URL is set. Figures: acknowledgement latency p50/p99, throughput,
 * events lost (acknowledged but not in the database). Then the synchronous-forwarding baseline (acks
 * only after its Bitbucket call; the fake answers in 200 ms) under the same load, and the ratio.
 */
import { FakeBitbucket } from "../test/fakes/bitbucket";
import { startAppProcess, startBaselineProcess } from "./lib/app-process";
import { benchDatabaseKinds, dropDatabase, freshDatabase, storedKeys, type BenchDatabase } from "./lib/database";
import { runLoad, type LoadFigures } from "./lib/load";
import { eventBridgeEvent, newTenant, pushWebhook, type BenchRequest, type BenchTenant } from "./lib/payloads";
import { fmt, type BenchOptions, type BenchResult, type BenchRow } from "./lib/report";
import { RssSampler } from "./lib/rss";

const RATE = Number(process.env.BENCH_RATE ?? 500);
const BITBUCKET_LATENCY_MS = 200;

interface Phase {
  name: string;
  /** Extra app environment (a web-only instance: WORKER_ENABLED=false). */
  env?: Record<string, string>;
  source: "bitbucket" | "eventbridge";
  request(app: { installationId: string; apiKey: string }, tenant: BenchTenant, n: number): BenchRequest;
}

const PHASES: Phase[] = [
  { name: "Bitbucket webhooks (repo:push, JWT)", source: "bitbucket", request: (_app, tenant) => pushWebhook(tenant) },
  {
    name: "Bitbucket webhooks, web-only instance (worker off)",
    source: "bitbucket",
    env: { WORKER_ENABLED: "false" },
    request: (_app, tenant) => pushWebhook(tenant),
  },
  { name: "EventBridge events (Buildkite, API key)", source: "eventbridge", request: (app, _tenant, n) => eventBridgeEvent(app.installationId, app.apiKey, undefined, n) },
];

function row(phase: string, database: string, f: LoadFigures, stored: number | string, lost: number | string, peakRss: number | null): BenchRow {
  return {
    phase,
    database,
    sent: f.sent,
    "acked 2xx": f.acked,
    "acked/s": fmt(f.ackedPerSecond, 0),
    "ack p50 ms": f.p50,
    "ack p99 ms": f.p99,
    "max ms": f.maxMs,
    "non-2xx": f.non2xx,
    "errors/timeouts": `${f.errors}/${f.timeouts}`,
    stored,
    "lost (acked, not stored)": lost,
    "peak RSS MiB": peakRss === null ? "n/a" : fmt(peakRss, 0),
  };
}

async function appPhase(phase: Phase, label: BenchDatabase["label"], o: BenchOptions): Promise<{ row: BenchRow; figures: LoadFigures }> {
  const fake = await FakeBitbucket.start({ latencyMs: BITBUCKET_LATENCY_MS });
  const db = await freshDatabase(label);
  const tenant = newTenant();
  const app = await startAppProcess(fake, tenant, db, phase.env);
  try {
    o.log(`  ${phase.name} on ${label}: ${RATE} req/s for ${o.seconds} s…`);
    const rss = new RssSampler(app.pid);
    let n = 0;
    const figures = await runLoad({ url: app.url, rate: RATE, seconds: o.seconds, next: () => phase.request(app, tenant, ++n) });
    const peak = rss.stop();
    await app.stop();
    const stored = await storedKeys(db, phase.source);
    let lost = 0;
    for (const id of figures.ackedIds) if (!stored.has(id)) lost++;
    return { row: row(phase.name, label, figures, stored.size, lost, peak || null), figures };
  } finally {
    await app.stop();
    await fake.close();
    await dropDatabase(db).catch(() => undefined);
  }
}

async function baselinePhase(o: BenchOptions): Promise<{ row: BenchRow; figures: LoadFigures }> {
  const fake = await FakeBitbucket.start({ latencyMs: BITBUCKET_LATENCY_MS });
  const tenant = newTenant();
  const baseline = await startBaselineProcess(fake, tenant);
  try {
    o.log(`  synchronous-forwarding baseline: ${RATE} req/s for ${o.seconds} s…`);
    const rss = new RssSampler(baseline.pid);
    const figures = await runLoad({ url: baseline.url, rate: RATE, seconds: o.seconds, next: () => pushWebhook(tenant) });
    const peak = rss.stop();
    const forwarded = fake.callsTo("POST", /\/statuses\/build$/).filter((c) => c.status === 201).length;
    return {
      row: row("baseline: sync forward, Bitbucket 200 ms", "none", figures, `${forwarded} forwarded`, Math.max(0, figures.acked - forwarded), peak || null),
      figures,
    };
  } finally {
    await baseline.stop();
    await fake.close();
  }
}

export async function run(o: BenchOptions): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  let webhookOnSqlite: LoadFigures | null = null;
  for (const label of benchDatabaseKinds()) {
    for (const phase of PHASES) {
      const r = await appPhase(phase, label, o);
      rows.push(r.row);
      if (label === "SQLite" && phase.source === "bitbucket") webhookOnSqlite = r.figures;
    }
  }
  const base = await baselinePhase(o);
  rows.push(base.row);
  const notes = [
    `${RATE} req/s offered for ${o.seconds} s per phase, ${process.env.BENCH_CONNECTIONS ?? 250} connections (autocannon, latencies corrected for coordinated omission); the fake Bitbucket answers in ${BITBUCKET_LATENCY_MS} ms throughout.`,
    "App: the compiled server (`npm start`'s command, `node … dist/main.js`), one instance in its own process, NODE_ENV=production, every shipped integration, Buildkite switched on for the repository (each EventBridge event is reported to the fake Bitbucket by the worker); logs at info to /dev/null.",
    "lost = acknowledged with 2xx but no delivery row with that idempotency key after the app stopped (for the baseline: acknowledged but no status created on the fake).",
  ];
  if (webhookOnSqlite) {
    notes.push(
      `Baseline / app (webhooks on SQLite): p50 ${fmt(base.figures.p50 / webhookOnSqlite.p50)}×, p99 ${fmt(base.figures.p99 / webhookOnSqlite.p99)}× slower acknowledgements.`,
    );
  }
  if (!process.env.BENCH_DATABASE_URL) notes.push("PostgreSQL skipped: BENCH_DATABASE_URL is not set.");
  return { title: "Ingest: acknowledgement latency, throughput, events lost", rows, notes };
}
