import type { AgeBucket, DurationStat, WeekFigures } from "./model";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * The p-th quantile (0..1) of ascending `sorted` values by linear interpolation between closest
 * ranks (Hyndman & Fan type 7, the default of R, NumPy and spreadsheets' PERCENTILE.INC), rounded
 * to a whole ms; null for no values. E.g. [1,2,3,4] → median 2.5, p90 3.7.
 */
export function quantile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return Math.round(sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!));
}

/** Count, median and p90 of durations (ms), in any order. */
export function durationStat(values: readonly number[]): DurationStat {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, medianMs: quantile(sorted, 0.5), p90Ms: quantile(sorted, 0.9) };
}

/** The Monday 00:00 UTC of the week holding `ms` (ISO weeks start on Monday). */
export function weekStartOf(ms: number): number {
  const d = new Date(ms);
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - sinceMonday * DAY_MS;
}

/** A closed-to-open interval's duration sample: `at` is when it ended (the week it counts in). */
export interface Sample {
  at: number;
  ms: number;
}

/**
 * Weekly median and p90 of time to first review and time to merge, one entry per week from the week
 * of `from` to the week of `to` (empty weeks included, with count 0 and null figures).
 */
export function weeklyFigures(from: number, to: number, firstReviews: readonly Sample[], merges: readonly Sample[]): WeekFigures[] {
  const weeks: WeekFigures[] = [];
  for (let w = weekStartOf(from); w <= to; w += 7 * DAY_MS) {
    const inWeek = (s: Sample) => s.at >= w && s.at < w + 7 * DAY_MS;
    weeks.push({
      weekStart: new Date(w).toISOString().slice(0, 10),
      firstReview: durationStat(firstReviews.filter(inWeek).map((s) => s.ms)),
      merge: durationStat(merges.filter(inWeek).map((s) => s.ms)),
    });
  }
  return weeks;
}

/** The open-PR age buckets: upper bounds (exclusive), the last one open-ended. */
export const AGE_BUCKETS: ReadonlyArray<{ id: string; label: string; below: number }> = [
  { id: "lt-1d", label: "Under 1 day", below: DAY_MS },
  { id: "1-3d", label: "1–3 days", below: 3 * DAY_MS },
  { id: "3-7d", label: "3–7 days", below: 7 * DAY_MS },
  { id: "1-2w", label: "1–2 weeks", below: 14 * DAY_MS },
  { id: "2-4w", label: "2–4 weeks", below: 28 * DAY_MS },
  { id: "gt-4w", label: "Over 4 weeks", below: Infinity },
];

/** How many open pull requests fall in each age bucket (`ages` in ms). */
export function ageDistribution(ages: readonly number[]): AgeBucket[] {
  const counts = AGE_BUCKETS.map(() => 0);
  for (const age of ages) counts[AGE_BUCKETS.findIndex((b) => age < b.below)]! += 1;
  return AGE_BUCKETS.map((b, i) => ({ id: b.id, label: b.label, count: counts[i]! }));
}
