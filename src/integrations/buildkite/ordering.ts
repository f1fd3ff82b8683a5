/** The facts that order two events reported under the same status key on the same commit. */
export interface EventPosition {
  buildNumber: number;
  occurredAt: number;
  rank: number;
}

/**
 * The no-regression order: a higher build number is newer; within one build, a later event is
 * newer (so a retried job moves failed → running → passed forward); events of the same time
 * (EventBridge times have one-second resolution) are ordered by lifecycle rank.
 * Returns > 0 when `a` is newer than `b`, 0 when neither is.
 */
export function compareEvents(a: EventPosition, b: EventPosition): number {
  if (a.buildNumber !== b.buildNumber) return a.buildNumber - b.buildNumber;
  if (a.occurredAt !== b.occurredAt) return a.occurredAt - b.occurredAt;
  return a.rank - b.rank;
}
