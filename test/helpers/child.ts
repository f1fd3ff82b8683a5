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
