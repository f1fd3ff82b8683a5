const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function shortAge(ms: number): string {
  if (ms >= DAY) return `${Math.floor(ms / DAY)}d`;
  if (ms >= HOUR) return `${Math.floor(ms / HOUR)}h`;
  return `${Math.max(1, Math.floor(ms / 60_000))}m`;
}

export const SECTION_TITLES = {
  needsYourReview: "Needs your review",
  needsReview: "Needs review",
  waitingOnAuthor: "Waiting on author",
  yours: "Your pull requests",
  drafts: "Drafts",
} as const;
