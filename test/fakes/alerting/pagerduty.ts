import { AlertReceiver, type Answer } from "./receiver";

interface PdEvent {
  routing_key?: unknown;
  event_action?: unknown;
  dedup_key?: unknown;
  payload?: { summary?: unknown; source?: unknown; severity?: unknown };
}

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`): validates events as PagerDuty documents them (400
 * "Event object is invalid" with `errors`), answers 202 `{status, message, dedup_key}`, and keeps the
 * alerts: a trigger opens (or appends to the open alert with the same dedup_key), a resolve closes, a
 * resolve with nothing open is dropped.
 */
export class FakePagerDuty extends AlertReceiver {
  readonly routingKeys = new Set<string>();
  /** Open alerts by `<routing_key>|<dedup_key>`, with how many triggers each got. */
  readonly open = new Map<string, { triggers: number; summary: string }>();
  readonly resolved: string[] = [];
  readonly dropped: string[] = [];

  get enqueueUrl(): string {
    return `${this.url}/v2/enqueue`;
  }

  protected answer(req: { method: string; path: string; body: unknown }): Answer {
    if (req.method !== "POST" || req.path !== "/v2/enqueue") return { status: 404, body: { status: "not found" } };
    const e = (req.body ?? {}) as PdEvent;
    const errors: string[] = [];
    if (typeof e.routing_key !== "string" || !this.routingKeys.has(e.routing_key)) errors.push("'routing_key' is invalid");
    if (!["trigger", "acknowledge", "resolve"].includes(String(e.event_action))) errors.push("'event_action' is invalid");
    if (e.dedup_key !== undefined && (typeof e.dedup_key !== "string" || e.dedup_key.length > 255)) errors.push("'dedup_key' is invalid");
    if (e.event_action !== "trigger" && typeof e.dedup_key !== "string") errors.push("'dedup_key' is required for acknowledge and resolve");
    if (e.event_action === "trigger") {
      const p = e.payload;
      if (!p || typeof p.summary !== "string" || p.summary.length > 1024) errors.push("'payload.summary' is missing or invalid");
      if (!p || typeof p.source !== "string" || !p.source) errors.push("'payload.source' is missing");
      if (!p || !["critical", "error", "warning", "info"].includes(String(p.severity))) errors.push("'payload.severity' is invalid");
    }
    if (errors.length) return { status: 400, body: { status: "invalid event", message: "Event object is invalid", errors } };
    const dedup = (e.dedup_key as string | undefined) ?? `generated-${this.requests.length}`;
    const key = `${e.routing_key as string}|${dedup}`;
    if (e.event_action === "trigger") {
      const current = this.open.get(key);
      this.open.set(key, { triggers: (current?.triggers ?? 0) + 1, summary: String(e.payload?.summary) });
    } else if (e.event_action === "resolve") {
      if (this.open.delete(key)) this.resolved.push(dedup);
      else this.dropped.push(dedup);
    }
    return { status: 202, body: { status: "success", message: "Event processed", dedup_key: dedup } };
  }
}
