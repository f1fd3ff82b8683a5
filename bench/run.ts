/**
 * `npm run bench [-- name…]`: runs every bench/*.bench.ts (or the named ones) and the other
 * engineers' bench scripts (archive-stream, review-panel), prints their figures, and appends them to
 * bench/results.md with the date, the machine (cores, memory) and the commit. Not run by CI.
 *   BENCH_SECONDS=5 npm run bench -- ingest idle      # short smoke run
 */
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { loadAverage, machine } from "./lib/machine";
import { renderResult, type BenchOptions, type BenchResult } from "./lib/report";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const DIR = __dirname;
const RESULTS = path.join(DIR, "results.md");
/** Runnable scripts of other areas: run as child processes, their output kept verbatim. */
const SCRIPTS = ["archive-stream.ts", "review-panel.ts"];

interface BenchModule {
  run?: (o: BenchOptions) => Promise<BenchResult | string | unknown>;
}

interface Entry {
  name: string;
  file: string;
}

function discover(): Entry[] {
  const benches = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith(".bench.ts"))
    .sort()
    .map((f) => ({ name: f.replace(/\.bench\.ts$/, ""), file: f }));
  const scripts = SCRIPTS.filter((f) => fs.existsSync(path.join(DIR, f))).map((f) => ({ name: f.replace(/\.ts$/, ""), file: f }));
  return [...benches, ...scripts];
}

function isResult(v: unknown): v is BenchResult {
  return typeof v === "object" && v !== null && "title" in v && Array.isArray((v as BenchResult).rows);
}

/** A script without `run()`: its own process, stdout echoed and kept. */
function runScript(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", path.join("bench", file)], {
      cwd: path.resolve(DIR, ".."),
      env: process.env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    proc.once("exit", (code) => (code === 0 ? resolve(out.trimEnd()) : reject(new Error(`${file} exited ${code}`))));
  });
}

/**
 * A `*.bench.ts` is imported and its `run()` called; a script of SCRIPTS is only run as its own
 * process (importing it would run its `main()` here as well: it ran twice).
 */
async function runOne(entry: Entry, opts: BenchOptions): Promise<string> {
  if (!entry.file.endsWith(".bench.ts")) return `### ${entry.name}\n\n\`\`\`\n${await runScript(entry.file)}\n\`\`\`\n`;
  const mod = (await import(path.join(DIR, entry.file))) as BenchModule;
  if (typeof mod.run !== "function") throw new Error(`${entry.file} exports no run()`);
  const result = await mod.run(opts);
  if (isResult(result)) return renderResult(result);
  return `### ${entry.name}\n\n\`\`\`\n${typeof result === "string" ? result : JSON.stringify(result, null, 2)}\n\`\`\`\n`;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const all = discover();
  const unknown = wanted.filter((w) => !all.some((e) => e.name === w));
  if (unknown.length) throw new Error(`unknown bench ${unknown.join(", ")}; known: ${all.map((e) => e.name).join(", ")}`);
  const entries = wanted.length ? all.filter((e) => wanted.includes(e.name)) : all;
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const m = machine();
  const smoke = seconds < 60 || process.env.BENCH_MIB !== undefined;
  const label = process.env.BENCH_LABEL ?? (smoke ? `short smoke run (BENCH_SECONDS=${seconds}${process.env.BENCH_MIB ? `, BENCH_MIB=${process.env.BENCH_MIB}` : ""}): proves the bench works, not a measurement` : "full run");
  const header = `## ${m.date} — ${label}\n\nMachine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, Node ${m.node}. Commit: ${m.commit}.\n`;
  console.log(header);
  const sections: string[] = [];
  for (const entry of entries) {
    console.log(`▶ ${entry.name}`);
    const started = Date.now();
    const loadBefore = loadAverage();
    try {
      const section = await runOne(entry, { seconds, log: (l) => console.log(l) });
      sections.push(`${section}\n_${entry.name} took ${Math.round((Date.now() - started) / 1000)} s; load average ${loadBefore} before, ${loadAverage()} after (the bench itself adds to it)._\n`);
      if (entry.file.endsWith(".bench.ts")) console.log(`\n${section}`); // scripts echoed their output already
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      sections.push(`### ${entry.name}\n\nFAILED: ${msg}\n`);
      console.error(`${entry.name} failed: ${msg}`);
      process.exitCode = 1;
    }
  }
  if (!fs.existsSync(RESULTS)) fs.writeFileSync(RESULTS, "# Benchmark results\n\nAppended by `npm run bench` (bench/run.ts), newest last.\n");
  fs.appendFileSync(RESULTS, `\n${header}\n${sections.join("\n")}`);
  console.log(`appended to ${path.relative(process.cwd(), RESULTS)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
