import { AlertReceiver, type Answer } from "./receiver";

interface AlertOpsBody {
  source?: unknown;
  source_name?: unknown;
  source_id?: unknown;
  status?: unknown;
  subject?: unknown;
  commit_status?: { state?: unknown };
}

/**
 * An AlertOps inbound API integration URL (`/POSTAlert/<api key>/Bitbucket`): unknown keys get 401.
 * Alerts match on Source + Source Name + Source Id; the status field OPEN opens (or appends to the open
 * alert: a duplicate), CLOSE closes the open one.
 */
export class FakeAlertOps extends AlertReceiver {
  readonly apiKey = "ao-key-7f3a9c";
  readonly open = new Map<string, { messages: number; subject: string }>();
  readonly closed: string[] = [];

  get integrationUrl(): string {
    return `${this.url}/POSTAlert/${this.apiKey}/Bitbucket`;
  }

  protected answer(req: { method: string; path: string; body: unknown }): Answer {
    const m = /^\/POSTAlert\/([^/]+)\/Bitbucket$/.exec(req.path);
    if (req.method !== "POST" || !m) return { status: 404, body: { error: "not found" } };
    if (m[1] !== this.apiKey) return { status: 401, body: { error: "invalid API key" } };
    const b = (req.body ?? {}) as AlertOpsBody;
    if (typeof b.source !== "string" || typeof b.source_name !== "string" || typeof b.status !== "string") {
      return { status: 400, body: { error: "source, source_name and status are required" } };
    }
    const key = `${b.source}|${b.source_name}|${String(b.source_id ?? "")}`;
    if (b.status === "OPEN") {
      const current = this.open.get(key);
      this.open.set(key, { messages: (current?.messages ?? 0) + 1, subject: String(b.subject ?? "") });
    } else if (b.status === "CLOSE") {
      if (this.open.delete(key)) this.closed.push(key);
    }
    return { status: 200, body: { status: "Success", message: "Alert received" } };
  }
}
