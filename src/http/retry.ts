/**
 * The one retry policy: exponential back-off with full jitter, capped, and a server's Retry-After
 * always wins over the computed delay. Used for inline HTTP retries and for job re-scheduling.
 */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return retryAfterMs;
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  // "Full jitter" keeps many clients from retrying in lock-step; never below half the step.
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Parses Retry-After: delta-seconds or an HTTP date. Returns milliseconds, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
