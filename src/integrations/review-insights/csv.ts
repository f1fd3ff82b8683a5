import { HOUR_MS } from "./figures";
import type { CsvTable, DurationStat, InsightsView } from "./model";

export type Cell = string | number | null;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled. Text that
 * a spreadsheet would run as a formula (starting with = + - @, tab or CR: OWASP "CSV injection") is
 * prefixed with `'`. Numbers are written as they are; null is an empty field.
 */
export function csvField(v: Cell): string {
  if (v === null) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text: CRLF line ends (RFC 4180), a header row first. */
export function toCsv(rows: Cell[][]): string {
  return rows.map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** Hours with two decimals (durations in the CSV), null stays empty. */
const hours = (ms: number | null): number | null => (ms === null ? null : Math.round((ms / HOUR_MS) * 100) / 100);
const stat = (s: DurationStat): Cell[] => [s.count, hours(s.medianMs), hours(s.p90Ms)];

/** The rows of one of the page's tables (`CSV_TABLES`), header first; durations in hours. */
export function csvRows(view: InsightsView, table: CsvTable): Cell[][] {
  switch (table) {
    case "weekly":
      return [
        ["week_start", "first_reviews", "first_review_median_hours", "first_review_p90_hours", "merged", "merge_median_hours", "merge_p90_hours"],
        ...view.weeks.map((w) => [w.weekStart, ...stat(w.firstReview), ...stat(w.merge)]),
      ];
    case "open-age":
      return [["age", "open_pull_requests"], ...view.openAge.map((b) => [b.label, b.count])];
    case "reviewers":
      return [["reviewer", "open_review_requests", "reviews_done"], ...view.reviewers.map((r) => [r.reviewer, r.openRequests, r.reviewsDone])];
    case "waiting":
      return [
        ["pull_request", "title", "author", "opened", "waiting_hours", "reviewers", "url"],
        ...view.waiting.map((p) => [p.id, p.title, p.author, p.createdAt, hours(p.waitingMs), p.reviewers, p.url]),
      ];
  }
}

/** A download file name: `review-insights-<repo>-<table>-<days>d.csv`, ASCII letters, digits, `-` and `_` only. */
export function csvFileName(view: InsightsView, table: CsvTable): string {
  const repo = (view.repository.fullName ?? "repository").replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80) || "repository";
  return `review-insights-${repo}-${table}-${view.days}d.csv`;
}
