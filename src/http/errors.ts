/** Errors raised by outbound calls; the worker reads `retryable` and `retryAfterMs` to schedule. */
export class HttpError extends Error {
  constructor(
    readonly target: string,
    readonly status: number,
    readonly bodySnippet: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${target} answered ${status}${bodySnippet ? `: ${bodySnippet}` : ""}`);
    this.name = "HttpError";
  }
  get retryable(): boolean {
    return this.status === 408 || this.status === 425 || this.status === 429 || this.status >= 500;
  }
}

export class NetworkError extends Error {
  readonly retryable = true;
  constructor(readonly target: string, cause: unknown) {
    super(`${target} unreachable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "NetworkError";
  }
}

/** A failure that no retry can fix (bad settings, a 4xx from a target): the job goes dead at once. */
export class PermanentError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = "PermanentError";
  }
}

/** Says "try again later" without it being a failure of the target (e.g. waiting on another job). */
export class RetryLaterError extends Error {
  readonly retryable = true;
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = "RetryLaterError";
  }
}

export function isRetryable(err: unknown): boolean {
  if (err && typeof err === "object" && "retryable" in err) return Boolean((err as { retryable: unknown }).retryable);
  return true; // unknown errors (bugs, timeouts) get the benefit of the doubt, bounded by max attempts
}

export function retryAfterOf(err: unknown): number | undefined {
  if (err && typeof err === "object" && "retryAfterMs" in err) {
    const v = (err as { retryAfterMs: unknown }).retryAfterMs;
    return typeof v === "number" ? v : undefined;
  }
  return undefined;
}
