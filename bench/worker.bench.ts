/**
 * Worker throughput (issue 17, goal 2): 2,000 (BENCH_WORKER_JOBS) `buildkite.report` jobs queued
 * before the compiled server starts, each posting a build status to a fake Bitbucket that answers in
 * 50 ms; the worker drains them with WORKER_CONCURRENCY 4 and 16 (BENCH_WORKER_CONCURRENCY). The
 * ceiling is concurrency ÷ latency jobs/s (nothing else limits a worker whose jobs each wait 50 ms);
 * the figure is the drain rate and its ratio to that ceiling (goal ≥ 0.9). SQLite, then PostgreSQL
 * when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set.
 */
import { randomUUID } from "node:crypto";
import { FakeBitbucket } from "../test/fakes/bitbucket";
import { Database } from "../src/db/database";
import { initCoreModels } from "../src/models";
import { JobQueue } from "../src/pipeline/queue";
import { startAppProcess } from "./lib/app-process";
import { benchDatabaseKinds, dropDatabase, freshDatabase, type BenchDatabase } from "./lib/database";
import { newTenant, randomSha, type BenchTenant } from "./lib/payloads";
import { provisionTenant } from "./lib/provision";
import { fmt, type BenchOptions, type BenchResult, type BenchRow } from "./lib/report";
import { cpuMsOf } from "./lib/rss";

const JOBS = Number(process.env.BENCH_WORKER_JOBS ?? 2000);
const CONCURRENCIES = (process.env.BENCH_WORKER_CONCURRENCY ?? "4,16").split(",").map(Number).filter((n) => n > 0);
const LATENCY_MS = 50;
const GOAL = 0.9;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Queues the jobs as the Buildkite router enqueues them (one per build event and repository), before the app starts. */
async function queueReports(db: BenchDatabase, tenant: BenchTenant, installationId: string): Promise<void> {
  const database = Database.open(db.config);
  try {
    initCoreModels(database.sequelize);
    const queue = new JobQueue(database);
    const now = Date.now();
    const jobs = Array.from({ length: JOBS }, (_, i) => ({
      installationId,
      repositoryUuid: tenant.repo.uuid,
      handler: "buildkite.report",
      integration: "buildkite",
      maxAttempts: 5,
      runAt: now,
      payload: {
        eventId: randomUUID(),
        repository: { uuid: tenant.repo.uuid, fullName: tenant.repo.fullName },
        commit: randomSha(),
        buildNumber: i + 1,
        buildState: "passed",
        rank: 3,
        occurredAt: now,
        status: { key: "bench-pipeline", state: "SUCCESSFUL" as const, name: `Bench #${i + 1}`, url: "https://buildkite.com/acme/bench/builds/1" },
      },
    }));
    for (let i = 0; i < jobs.length; i += 500) await queue.enqueue(jobs.slice(i, i + 500));
  } finally {
    await database.close();
  }
}

async function drain(label: BenchDatabase["label"], concurrency: number, o: BenchOptions): Promise<BenchRow> {
  const fake = await FakeBitbucket.start({ latencyMs: LATENCY_MS });
  const db = await freshDatabase(label);
  const tenant = newTenant();
  try {
    const { installationId } = await provisionTenant(db, tenant, fake.url);
    await queueReports(db, tenant, installationId);
    o.log(`  ${JOBS} queued build statuses on ${label}, WORKER_CONCURRENCY=${concurrency}…`);
    const app = await startAppProcess(fake, tenant, db, { WORKER_CONCURRENCY: String(concurrency) });
    const cpuStart = cpuMsOf(app.pid);
    try {
      const posted = () => fake.callsTo("POST", /\/statuses\/build$/).filter((c) => c.status === 201);
      const deadline = Date.now() + Math.max(120_000, ((JOBS * LATENCY_MS) / concurrency) * 10);
      while (posted().length < JOBS && Date.now() < deadline) await sleep(100);
      const cpuEnd = cpuMsOf(app.pid);
      const calls = posted();
      const arrivals = calls.map((c) => c.at).sort((a, b) => a - b);
      // From the first status call's arrival to the last one's answer: the worker's steady drain, start-up excluded.
      const seconds = arrivals.length ? (arrivals[arrivals.length - 1]! - arrivals[0]! + LATENCY_MS) / 1000 : NaN;
      const rate = calls.length / seconds;
      const ceiling = (concurrency * 1000) / LATENCY_MS;
      const ratio = rate / ceiling;
      o.log(`    ${calls.length} statuses in ${fmt(seconds)} s: ${fmt(rate, 0)}/s of ${fmt(ceiling, 0)}/s (${fmt(ratio, 2)})`);
      return {
        database: label,
        WORKER_CONCURRENCY: concurrency,
        jobs: JOBS,
        "statuses posted": calls.length,
        "drain s": fmt(seconds, 1),
        "jobs/s": fmt(rate, 0),
        "ceiling jobs/s (concurrency ÷ 50 ms)": fmt(ceiling, 0),
        "ratio (≥ 0.9)": `${fmt(ratio, 2)}${ratio >= GOAL ? "" : " ✗"}`,
        "app CPU ms / job": cpuStart !== null && cpuEnd !== null && calls.length ? fmt((cpuEnd - cpuStart) / calls.length, 2) : "n/a",
      };
    } finally {
      await app.stop();
    }
  } finally {
    await fake.close();
    await dropDatabase(db).catch(() => undefined);
  }
}

export async function run(o: BenchOptions): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  for (const label of benchDatabaseKinds()) for (const c of CONCURRENCIES) rows.push(await drain(label, c, o));
  const notes = [
    `${JOBS} \`buildkite.report\` jobs (each: no-regression claim, the status POST, confirm) queued before the app starts; the fake Bitbucket answers every call in ${LATENCY_MS} ms.`,
    "drain = first status call's arrival at the fake → last one's arrival + 50 ms (start-up excluded); ceiling = WORKER_CONCURRENCY ÷ 50 ms; app CPU ms / job = the app's user + system CPU (/proc/<pid>/stat) from its port listening to the last status, per status posted (start-up before listening excluded): unlike the drain rate, other load on the machine does not inflate it.",
  ];
  if (benchDatabaseKinds().length === 1) notes.push("PostgreSQL skipped: neither BENCH_DATABASE_URL nor TEST_DATABASE_URL is set.");
  return { title: "Worker throughput: queued build statuses against concurrency ÷ latency", rows, notes };
}
