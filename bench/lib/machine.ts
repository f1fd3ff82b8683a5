import os from "node:os";
import { execFileSync } from "node:child_process";

export interface Machine {
  date: string;
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  commit: string;
}

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

/** The 1-minute load average as "x.x on N cores": other work on the machine shows in the figures. */
export function loadAverage(): string {
  return `${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`;
}

/** Where and on what the figures were taken: date, cores, memory (node:os) and commit (git rev-parse). */
export function machine(): Machine {
  const head = git(["rev-parse", "--short", "HEAD"]) ?? "unknown";
  const dirty = (git(["status", "--porcelain", "--untracked-files=no"]) ?? "").length > 0;
  return {
    date: new Date().toISOString(),
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    commit: dirty ? `${head} (+ uncommitted changes)` : head,
  };
}
