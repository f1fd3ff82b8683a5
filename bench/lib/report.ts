/** What a bench returns: a titled table of figures and notes, printed and appended to bench/results.md. */
export type Cell = string | number;
export type BenchRow = Record<string, Cell>;

export interface BenchResult {
  title: string;
  rows: BenchRow[];
  notes?: string[];
}

export interface BenchOptions {
  /** Load duration of each phase (BENCH_SECONDS; the issue's figure is 60). */
  seconds: number;
  log(line: string): void;
}

export function fmt(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || Number.isNaN(n)) return "n/a";
  return n.toFixed(digits);
}

/** A markdown table; the columns are the union of the rows' keys, in order of appearance. */
export function markdownTable(rows: BenchRow[]): string {
  if (!rows.length) return "_no rows_";
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(columns),
    line(columns.map(() => "---")),
    ...rows.map((r) => line(columns.map((c) => String(r[c] ?? "")))),
  ].join("\n");
}

export function renderResult(r: BenchResult): string {
  const notes = (r.notes ?? []).map((n) => `- ${n}`).join("\n");
  return `### ${r.title}\n\n${markdownTable(r.rows)}\n${notes ? `\n${notes}\n` : ""}`;
}
