/**
 * Ingest against its floor (issue 17, goal 1): at each offered rate (BENCH_INGEST_RATES, default
 * 500, 1000 and 2000 events/s) for BENCH_SECONDS each, first the bare floor (bench/lib/floor-child.ts:
 * node:http + atlassian-jwt verify with qsh + one insert before 202, on a database of the same kind),
 * then the app — the compiled server, worker on, every shipped integration — once per sender:
 * Connect webhooks (repo:push, JWT), Forge product events (FIT), EventBridge API-destination events
 * (Buildkite, API key) and Buildkite webhooks (HMAC signature). SQLite, then PostgreSQL when
 * BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set. Figures: acknowledged/s, ack p50/p99, lost
 * (acknowledged but not stored), peak RSS, and the ratios to the floor at the same rate (goals:
 * throughput ≥ 0.9×, p99 ≤ 1.5×, 0 lost).
 */
import { FakeBitbucket } from "../test/fakes/bitbucket";
import { startAppProcess, startFloorProcess, type AppProcess } from "./lib/app-process";
import { benchDatabaseKinds, dropDatabase, freshDatabase, jobsDrained, storedFloorKeys, storedKeys, storedPayloadShas, type BenchDatabase } from "./lib/database";
import { BenchForge } from "./lib/forge";
import { runLoad, type LoadFigures } from "./lib/load";
import { buildkiteWebhook, eventBridgeEvent, forgeEvent, newTenant, pushWebhook, randomSha, type BenchRequest, type BenchTenant } from "./lib/payloads";
import { fmt, type BenchOptions, type BenchResult, type BenchRow } from "./lib/report";
import { cpuMsOf, RssSampler } from "./lib/rss";

const RATES = (process.env.BENCH_INGEST_RATES ?? "500,1000,2000").split(",").map(Number).filter((n) => n > 0);
/**
 * BENCH_INGEST_AMOUNT=n: instead of a rate for BENCH_SECONDS, each phase sends exactly n requests
 * over BENCH_CONNECTIONS connections, each sending its next once answered (a closed loop): the
 * steady probe of CPU per request, which holds on a machine too busy to sustain a rate (the
 * throughput and latency columns then measure the machine). BENCH_INGEST_FLOOR=0 skips the floor.
 */
const AMOUNT = Number(process.env.BENCH_INGEST_AMOUNT ?? 0) || undefined;
const WITH_FLOOR = process.env.BENCH_INGEST_FLOOR !== "0";
const BITBUCKET_LATENCY_MS = 50;
const THROUGHPUT_GOAL = 0.9;
const P99_GOAL = 1.5;

interface Sender {
  name: string;
  /** The deliveries' `source` column. */
  source: "bitbucket" | "forge" | "eventbridge" | "buildkite";
  request(app: AppProcess, tenant: BenchTenant, forge: BenchForge | null, n: number): BenchRequest;
}

const SENDERS: Sender[] = [
  { name: "Connect webhooks (repo:push, JWT)", source: "bitbucket", request: (_app, tenant) => pushWebhook(tenant) },
  {
    name: "Forge events (avi:bitbucket:push:repository, FIT)",
    source: "forge",
    request: (_app, tenant, forge) => {
      const sha = randomSha();
      return { ...forgeEvent(tenant, forge!.current, forge!.systemToken, sha), id: sha };
    },
  },
  { name: "EventBridge events (Buildkite, API key)", source: "eventbridge", request: (app, _tenant, _forge, n) => eventBridgeEvent(app.installationId, app.apiKey, undefined, n) },
  { name: "Buildkite webhooks (build.finished, HMAC)", source: "buildkite", request: (app, _tenant, _forge, n) => buildkiteWebhook(app.installationId, app.webhookToken, undefined, n) },
];

/** BENCH_INGEST_SENDERS: only these senders (by source: bitbucket, forge, eventbridge, buildkite). */
const senders = (): Sender[] => {
  const only = process.env.BENCH_INGEST_SENDERS?.split(",").filter(Boolean);
  return only?.length ? SENDERS.filter((s) => only.includes(s.source)) : SENDERS;
};

interface Measured {
  figures: LoadFigures;
  lost: number;
  peakRss: number | null;
  /** CPU time (user + system) the server used during the load, per acknowledged request: what other load on the machine does not inflate. */
  cpuMsPerAck: number | null;
  /** The same from the load's start until the worker had run every job of those requests (the app only; null if not drained in time). */
  cpuMsPerAckDrained?: number | null;
}

/** How long the worker may take after the load to run the jobs the load queued. */
const DRAIN_TIMEOUT_MS = Number(process.env.BENCH_DRAIN_TIMEOUT_MS ?? 180_000);

/** Load on a server process, with its CPU time over the load. */
async function measured(pid: number, load: () => Promise<LoadFigures>, drained?: () => Promise<boolean>): Promise<Omit<Measured, "lost">> {
  const rss = new RssSampler(pid);
  const cpuBefore = cpuMsOf(pid);
  const figures = await load();
  const cpuAfter = cpuMsOf(pid);
  const perAck = (after: number | null) => (cpuBefore !== null && after !== null && figures.acked ? (after - cpuBefore) / figures.acked : null);
  const cpuMsPerAckDrained = drained ? ((await drained()) ? perAck(cpuMsOf(pid)) : null) : undefined;
  const peakRss = rss.stop() || null;
  return { figures, peakRss, cpuMsPerAck: perAck(cpuAfter), cpuMsPerAckDrained };
}

function lostOf(figures: LoadFigures, stored: Set<string>): number {
  let lost = 0;
  for (const id of figures.ackedIds) if (!stored.has(id)) lost++;
  return lost;
}

/** Sends one request and waits for its 2xx (first-use costs: JWKS fetch, Forge installation, JIT). */
async function warmUp(url: string, r: BenchRequest): Promise<void> {
  const res = await fetch(`${url}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`warm-up ${r.path} answered ${res.status}`);
}

async function floorPhase(label: BenchDatabase["label"], rate: number, o: BenchOptions): Promise<Measured> {
  const db = await freshDatabase(label);
  const tenant = newTenant();
  const floor = await startFloorProcess(tenant, db.config.kind === "sqlite" ? { sqliteFile: db.config.file } : { databaseUrl: db.config.url });
  try {
    o.log(`  floor on ${label}: ${rate}/s for ${o.seconds} s…`);
    await warmUp(floor.url, pushWebhook(tenant));
    const m = await measured(floor.pid, () => runLoad({ url: floor.url, rate, seconds: o.seconds, amount: AMOUNT, next: () => pushWebhook(tenant) }));
    await floor.stop();
    return { ...m, lost: lostOf(m.figures, await storedFloorKeys(db)) };
  } finally {
    await floor.stop();
    await dropDatabase(db).catch(() => undefined);
  }
}

async function appPhase(sender: Sender, label: BenchDatabase["label"], rate: number, o: BenchOptions): Promise<Measured> {
  const fake = await FakeBitbucket.start({ latencyMs: BITBUCKET_LATENCY_MS });
  const db = await freshDatabase(label);
  const tenant = newTenant();
  const forge = sender.source === "forge" ? await BenchForge.start(tenant, fake.url) : null;
  const app = await startAppProcess(fake, tenant, db, forge?.appEnv() ?? {});
  if (forge) fake.addBearerToken(forge.systemToken, "forge-app", { workspace: tenant.workspace });
  try {
    o.log(`  ${sender.name} on ${label}: ${rate}/s for ${o.seconds} s…`);
    let n = 0;
    await warmUp(app.url, sender.request(app, tenant, forge, ++n));
    const m = await measured(
      app.pid,
      () => runLoad({ url: app.url, rate, seconds: o.seconds, amount: AMOUNT, next: () => sender.request(app, tenant, forge, ++n) }),
      () => jobsDrained(db, DRAIN_TIMEOUT_MS),
    );
    await app.stop();
    const stored = sender.source === "forge" ? await storedPayloadShas(db, "forge") : await storedKeys(db, sender.source);
    return { ...m, lost: lostOf(m.figures, stored) };
  } finally {
    await app.stop();
    await forge?.close();
    await fake.close();
    await dropDatabase(db).catch(() => undefined);
  }
}

function row(rate: number, database: string, who: string, m: Measured, floor: Measured | null): BenchRow {
  const f = m.figures;
  const r: BenchRow = {
    "offered /s": AMOUNT ? `${AMOUNT} requests, closed loop` : rate,
    database,
    sender: who,
    sent: f.sent,
    "acked 2xx": f.acked,
    "acked/s": fmt(f.ackedPerSecond, 0),
    "p50 ms": f.p50,
    "p99 ms": f.p99,
    "non-2xx": f.non2xx,
    "errors/timeouts": `${f.errors}/${f.timeouts}`,
    lost: m.lost,
    "server CPU ms / ack": fmt(m.cpuMsPerAck, 2),
    "… incl. its jobs": m.cpuMsPerAckDrained === undefined ? "—" : m.cpuMsPerAckDrained === null ? "not drained" : fmt(m.cpuMsPerAckDrained, 2),
    "peak RSS MiB": m.peakRss === null ? "n/a" : fmt(m.peakRss, 0),
  };
  if (floor) {
    const tput = f.ackedPerSecond / floor.figures.ackedPerSecond;
    const p99 = f.p99 / Math.max(1, floor.figures.p99);
    r["acked/s ÷ floor (≥ 0.9)"] = `${fmt(tput, 2)}${tput >= THROUGHPUT_GOAL ? "" : " ✗"}`;
    r["p99 ÷ floor (≤ 1.5)"] = `${fmt(p99, 2)}${p99 <= P99_GOAL ? "" : " ✗"}`;
  } else {
    r["acked/s ÷ floor (≥ 0.9)"] = "—";
    r["p99 ÷ floor (≤ 1.5)"] = "—";
  }
  return r;
}

export async function run(o: BenchOptions): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  let met = 0;
  let total = 0;
  let lost = 0;
  for (const label of benchDatabaseKinds()) {
    for (const rate of RATES) {
      const floor = WITH_FLOOR ? await floorPhase(label, rate, o) : null;
      if (floor) {
        rows.push(row(rate, label, "floor: node:http + JWT/qsh + insert", floor, null));
        o.log(`    floor: ${fmt(floor.figures.ackedPerSecond, 0)}/s, p99 ${floor.figures.p99} ms`);
      }
      for (const sender of senders()) {
        const m = await appPhase(sender, label, rate, o);
        rows.push(row(rate, label, sender.name, m, floor));
        o.log(`    ${sender.name}: ${fmt(m.figures.ackedPerSecond, 0)}/s, p99 ${m.figures.p99} ms, lost ${m.lost}`);
        total++;
        lost += m.lost;
        if (floor && m.figures.ackedPerSecond / floor.figures.ackedPerSecond >= THROUGHPUT_GOAL && m.figures.p99 / Math.max(1, floor.figures.p99) <= P99_GOAL) met++;
      }
    }
  }
  const notes = [
    AMOUNT
      ? `Closed loop (BENCH_INGEST_AMOUNT): ${AMOUNT} requests per phase over ${process.env.BENCH_CONNECTIONS ?? 250} connections, each sending its next once answered; the figure is the CPU per request, throughput and latency measure the machine.`
      : `Each rate offered for ${o.seconds} s per phase over ${process.env.BENCH_CONNECTIONS ?? 250} connections (autocannon, latencies corrected for coordinated omission), after one warm-up request; each phase on a fresh database and a fresh process.`,
    "floor = bench/lib/floor-child.ts: node:http, atlassian-jwt HS256 verify with the qsh of the request, one INSERT keyed by X-Request-UUID (SQLite WAL + synchronous=NORMAL, or a PostgreSQL pool of 10), then 202; fed Connect webhooks. Every sender's row is compared with the floor of its database and rate.",
    `App: the compiled server (\`npm start\`'s command), NODE_ENV=production, worker on (default concurrency), every shipped integration, Buildkite switched on for the repository; the fake Bitbucket answers the worker's calls in ${BITBUCKET_LATENCY_MS} ms; logs at info to /dev/null.`,
    "server CPU ms / ack = the server process's user + system CPU time over the load phase (/proc/<pid>/stat, 10 ms ticks; the app's includes its worker) divided by the requests it acknowledged: unlike the latencies, other load on the machine does not inflate it. … incl. its jobs = the same from the load's start until the worker had run every job the load queued (no job queued, running or due), i.e. what one event costs end to end.",
    "lost = answered 2xx but no delivery stored with that key (X-Request-UUID, EventBridge event id, webhook body digest; for Forge the pushed commit in a stored payload) after the process stopped.",
    `Goals met (throughput ≥ ${THROUGHPUT_GOAL}× and p99 ≤ ${P99_GOAL}× the floor): ${met} of ${total} phases; lost in all: ${lost}.`,
  ];
  if (benchDatabaseKinds().length === 1) notes.push("PostgreSQL skipped: neither BENCH_DATABASE_URL nor TEST_DATABASE_URL is set.");
  return { title: "Ingest against the floor: throughput, acknowledgement latency, events lost", rows, notes };
}
