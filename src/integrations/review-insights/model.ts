/**
 * Review insights as the page and the CSV see them (issue 18.3). Durations are milliseconds, times
 * ISO 8601 (UTC). Shared by the API (src/integrations/review-insights) and the page (ui/review-insights).
 */

/** The windows the page offers, days back from now. */
export const INSIGHTS_WINDOWS = [30, 90] as const;
export type InsightsWindow = (typeof INSIGHTS_WINDOWS)[number];

/** A distribution's size, median and 90th percentile (linear interpolation between ranks, ms), null when empty. */
export interface DurationStat {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

/** One week (Monday 00:00 UTC) of the window. */
export interface WeekFigures {
  /** `YYYY-MM-DD`, the Monday the week starts. */
  weekStart: string;
  /** Pull requests whose first review (approval or changes requested) fell in the week: time from opening. */
  firstReview: DurationStat;
  /** Pull requests merged in the week: time from opening to merge. */
  merge: DurationStat;
}

export interface AgeBucket {
  id: string;
  label: string;
  count: number;
}

export interface ReviewerLoad {
  reviewer: string;
  /** Open pull requests where the reviewer is requested and has not given a verdict yet. */
  openRequests: number;
  /** Reviews (approvals and requests for changes) the reviewer gave in the window. */
  reviewsDone: number;
}

export interface WaitingPullRequest {
  id: number;
  title: string;
  url: string | null;
  author: string | null;
  createdAt: string;
  /** How long it has been open without any review. */
  waitingMs: number;
  /** Reviewers requested on it. */
  reviewers: number;
}

export type BackfillStatus = "idle" | "running" | "done" | "failed";

export interface BackfillView {
  status: BackfillStatus;
  /** ISO time the backfill reaches back to, null before the first run. */
  since: string | null;
  pages: number;
  pullRequests: number;
  /** Why the last run stopped (failed) or is retrying, null otherwise. */
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface InsightsView {
  repository: { uuid: string; fullName: string | null };
  enabled: boolean;
  /** Repository admins may turn insights on/off and start a backfill. */
  canAdmin: boolean;
  days: InsightsWindow;
  from: string;
  to: string;
  /** Closed pull requests and reviews older than this many days are deleted (INSIGHTS_RETENTION_DAYS). */
  retentionDays: number;
  summary: { openPullRequests: number; firstReview: DurationStat; merge: DurationStat };
  weeks: WeekFigures[];
  openAge: AgeBucket[];
  reviewers: ReviewerLoad[];
  waiting: WaitingPullRequest[];
  backfill: BackfillView;
}

/** The tables the CSV download offers (`GET …/insights/csv?table=`). */
export const CSV_TABLES = ["weekly", "open-age", "reviewers", "waiting"] as const;
export type CsvTable = (typeof CSV_TABLES)[number];
