import type { FaultRule } from "./types";

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

/** Fault injection: each rule answers (or delays) the next `times` calls that match it, oldest rule first. */
export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The first live rule matching the call, consuming one of its uses. */
  take(method: string, path: string): FaultRule | undefined {
    const hit = this.rules.find(
      ({ rule, remaining }) =>
        remaining > 0 && (rule.method === undefined || rule.method.toUpperCase() === method.toUpperCase()) && (rule.path === undefined || testPath(rule.path, path)),
    );
    if (!hit) return undefined;
    hit.remaining--;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return hit.rule;
  }
}

/** RegExp.test without the lastIndex surprise of /g and /y patterns. */
export function testPath(re: RegExp, path: string): boolean {
  re.lastIndex = 0;
  return re.test(path);
}

const REASONS: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  429: "Rate limit for this resource has been exceeded",
  500: "Internal server error",
  502: "Bad gateway",
  503: "Service unavailable",
  504: "Gateway timeout",
};

export function faultBody(rule: FaultRule & { status: number }): unknown {
  if (rule.body !== undefined) return rule.body;
  return { type: "error", error: { message: REASONS[rule.status] ?? `Injected ${rule.status}` } };
}
