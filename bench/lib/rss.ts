import fs from "node:fs";

const MIB = 1024 * 1024;

/** Resident set size and its peak (high-water mark) of a process, in MiB, from /proc (Linux). */
export function rssOf(pid: number): { rssMiB: number; peakMiB: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rssMiB: (kb("VmRSS") * 1024) / MIB, peakMiB: (kb("VmHWM") * 1024) / MIB };
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (Linux; clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15 of proc(5))
  } catch {
    return null;
  }
}

/** Samples a process's RSS at an interval; keeps the peak (also covers systems without VmHWM). */
export class RssSampler {
  peakMiB = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, intervalMs = 250) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    const r = rssOf(this.pid);
    if (r) this.peakMiB = Math.max(this.peakMiB, r.rssMiB, Number.isNaN(r.peakMiB) ? 0 : r.peakMiB);
  }

  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return this.peakMiB;
  }
}
