/**
 * Idle: resident memory of the compiled server (`node dist/main.js`, every integration,
 * NODE_ENV=production, tenant installed) right after start-up and after BENCH_IDLE_SECONDS (10) of
 * idling, on SQLite (and PostgreSQL when BENCH_DATABASE_URL is set). Start-up time is spawn → the port
 * accepting connections (database migrated, worker started).
 */
import { FakeBitbucket } from "../test/fakes/bitbucket";
import { startAppProcess, startNodeFlags } from "./lib/app-process";
import { benchDatabaseKinds, dropDatabase, freshDatabase, type BenchDatabase } from "./lib/database";
import { newTenant } from "./lib/payloads";
import { fmt, type BenchOptions, type BenchResult, type BenchRow } from "./lib/report";
import { rssOf } from "./lib/rss";

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start-ups measured per database (BENCH_STARTUPS, 5): the fastest shows the cost with the least interference. */
const STARTUPS = Number(process.env.BENCH_STARTUPS ?? 5);

async function startOnce(label: BenchDatabase["label"]): Promise<{ wallMs: number; cpuMs: number | null }> {
  const fake = await FakeBitbucket.start();
  const db = await freshDatabase(label);
  const app = await startAppProcess(fake, newTenant(), db);
  await app.stop();
  await fake.close();
  await dropDatabase(db).catch(() => undefined);
  return { wallMs: app.startupMs, cpuMs: app.startupCpuMs };
}

async function measure(label: BenchDatabase["label"], o: BenchOptions): Promise<BenchRow> {
  o.log(`  ${STARTUPS} start-ups on ${label}…`);
  const starts: Array<{ wallMs: number; cpuMs: number | null }> = [];
  for (let i = 0; i < STARTUPS; i++) starts.push(await startOnce(label));
  const wall = starts.map((s) => s.wallMs).sort((a, b) => a - b);
  const cpu = starts.map((s) => s.cpuMs ?? NaN).sort((a, b) => a - b);
  const fake = await FakeBitbucket.start();
  const db = await freshDatabase(label);
  const app = await startAppProcess(fake, newTenant(), db);
  try {
    o.log(`  idle app on ${label} for ${IDLE_SECONDS} s…`);
    await sleep(1000);
    const afterStart = rssOf(app.pid);
    await sleep(IDLE_SECONDS * 1000);
    const afterIdle = rssOf(app.pid);
    return {
      database: label,
      "start-up ms (min / median)": `${fmt(wall[0], 0)} / ${fmt(wall[Math.floor(wall.length / 2)], 0)}`,
      "start-up CPU ms (min / median)": `${fmt(cpu[0], 0)} / ${fmt(cpu[Math.floor(cpu.length / 2)], 0)}`,
      "RSS after start-up MiB": fmt(afterStart?.rssMiB, 0),
      [`RSS after ${IDLE_SECONDS} s idle MiB`]: fmt(afterIdle?.rssMiB, 0),
      "peak RSS MiB": fmt(afterIdle?.peakMiB, 0),
    };
  } finally {
    await app.stop();
    await fake.close();
    await dropDatabase(db).catch(() => undefined);
  }
}

export async function run(o: BenchOptions): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  for (const label of benchDatabaseKinds()) rows.push(await measure(label, o));
  return {
    title: "Idle: RSS after start-up",
    rows,
    notes: [
      `The compiled server as \`npm start\` runs it: \`${["node", ...startNodeFlags(), "dist/main.js"].join(" ")}\` (built by \`npm run build\`), on a database provisioned beforehand with the bench tenant (the app migrates it on start-up: nothing to do).`,
      `start-up = spawn → the port accepting TCP connections, over ${STARTUPS} start-ups; start-up CPU = the app's user + system time at that moment (/proc/<pid>/stat), which other load on the machine does not inflate; RSS read from /proc/<pid>/status (VmRSS, VmHWM) 1 s after start-up and after the idle time.`,
    ],
  };
}
