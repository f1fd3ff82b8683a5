import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: unknown;
  status: number;
}

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  retryAfter?: number;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A local HTTP receiver for alert targets: records every request (headers and exact body), answers
 * scripted faults first (`failNext`), and otherwise lets the vendor logic decide the answer.
 */
export abstract class AlertReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: ScriptedAnswer[] = [];
  private server!: http.Server;
  url = "";

  protected abstract answer(req: { method: string; path: string; headers: http.IncomingHttpHeaders; raw: string; body: unknown }): Answer;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The next `times` requests get this answer (e.g. 503, or 429 with Retry-After). */
  failNext(answer: ScriptedAnswer, times = 1): void {
    for (let i = 0; i < times; i++) this.script.push(answer);
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    const base = { method: req.method ?? "", path: req.url ?? "/", headers: req.headers, raw, body };
    const scripted = this.script.shift();
    const out: Answer = scripted
      ? { status: scripted.status, body: scripted.body ?? { error: "scripted" }, headers: scripted.retryAfter !== undefined ? { "retry-after": String(scripted.retryAfter) } : {} }
      : this.answer(base);
    this.requests.push({ ...base, status: out.status });
    res.writeHead(out.status, { "content-type": "application/json", ...(out.headers ?? {}) });
    res.end(out.body === undefined ? "" : JSON.stringify(out.body));
  }
}
