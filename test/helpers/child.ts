import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/** Starts test/helpers/child-app.ts in a new process; resolves with its URL (and its worker's id) once it listens. */
export function startChildApp(env: Record<string, string>): Promise<{ proc: ChildProcess; url: string; workerId: string }> {
  const root = path.resolve(__dirname, "../..");
  const proc = spawn(process.execPath, ["--import", "tsx", "test/helpers/child-app.ts"], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: process.env.CHILD_LOG_LEVEL ?? "silent", ...env },
    stdio: ["pipe", "pipe", "pipe"], // the child exits when this pipe closes (parent gone)
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (process.env.CHILD_LOG_LEVEL) process.stderr.write(d);
      const m = /LISTENING (\S+) WORKER (\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]!, workerId: m[2]! });
    });
    proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    proc.once("exit", (code) => reject(new Error(`child exited ${code}: ${err.slice(-2000)}`)));
  });
}

export interface MainRun {
  proc: ChildProcess;
  /** Resolves when the process exits, with everything it wrote. */
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Resolves once stdout contains `text`. */
  printed(text: string): Promise<void>;
}

/**
 * Starts the real entry point (`src/main.ts`) from the repository root with exactly `env` (plus
 * PATH and HOME): no variable leaks in from the test process.
 */
export function runMain(env: Record<string, string>): MainRun {
  const root = path.resolve(__dirname, "../..");
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiting: Array<{ text: string; resolve: () => void }> = [];
  proc.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiting.filter((x) => stdout.includes(x.text))) w.resolve();
  });
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    proc.once("exit", (code) => resolve({ code, stdout, stderr })),
  );
  return {
    proc,
    exited,
    printed: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.includes(text)) return resolve();
        waiting.push({ text, resolve });
        void exited.then(({ code }) => reject(new Error(`exited ${code} before printing ${text}: ${stderr.slice(-2000)}`)));
      }),
  };
}
