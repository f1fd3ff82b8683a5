import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from "undici";
import type { Readable } from "node:stream";
import { recordCall, type HttpMethod } from "./call-log";
import { HttpError, NetworkError } from "./errors";
import { excerpt, TARGET_EXCERPT_CHARS } from "./excerpt";
import { OutboundPolicy, OutboundRefusedError, type OutboundPolicyOptions } from "./outbound-policy";
import { backoffDelay, isRetryableStatus, parseRetryAfter, sleep, type RetryPolicy } from "./retry";
import type { Metrics } from "../config/metrics";

export interface HttpRequest {
  /** Label for metrics, logs and the activity log: "bitbucket", "pagerduty", "slack"… */
  target: string;
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON with the matching content type. */
  json?: unknown;
  body?: string | Buffer;
  /** Computed afresh for every attempt (a JWT's qsh and expiry, a refreshed token). */
  authorize?: (method: string, url: string) => Promise<Record<string, string>>;
  timeoutMs?: number;
  /** Inline retries on 429/5xx/network errors; defaults to the client's setting. */
  retries?: number;
  /** What metrics and the call log show instead of the URL, when the URL itself is a secret (chat webhooks). */
  displayUrl?: string;
  /**
   * The URL comes from a tenant's settings (alert targets, chat webhooks): the outbound policy applies
   * (https only, the resolved address checked at connect time), a 3xx is an error (redirects are never
   * followed) and error bodies are cut to a short sanitised excerpt.
   */
  tenantUrl?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export interface HttpStreamResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
}

export interface HttpClientOptions {
  timeoutMs: number;
  inlineRetries: number;
  inlineRetryMaxWaitMs: number;
  retry: RetryPolicy;
  metrics?: Metrics;
  dispatcher?: Dispatcher;
  /** The outbound policy for tenant URLs; default closed (no loopback), system DNS. */
  outbound?: OutboundPolicyOptions;
  /** Proxy settings; default HTTP(S)_PROXY / NO_PROXY from the environment (undici's EnvHttpProxyAgent). */
  proxy?: { httpProxy?: string; httpsProxy?: string; noProxy?: string };
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    return u.toString();
  } catch {
    return "<invalid url>";
  }
}

/**
 * The one HTTP client (undici). Honours HTTP(S)_PROXY/NO_PROXY, times out, retries 429/5xx inline
 * with the shared retry policy while the wait is short (Retry-After honoured), and otherwise throws a
 * typed error that the worker turns into a scheduled retry. Every call is measured and recorded.
 */
export class HttpClient {
  private readonly dispatcher: Dispatcher;
  /** Direct connections of tenant URLs: every connection's address goes through the policy. */
  private readonly tenantDispatcher: Dispatcher;
  /** A proxy resolves names itself: tenant URLs are then resolved and checked here and sent to the checked address. */
  private readonly proxied: boolean;
  readonly policy: OutboundPolicy;

  constructor(private readonly opts: HttpClientOptions) {
    this.dispatcher = opts.dispatcher ?? new EnvHttpProxyAgent(opts.proxy ?? {});
    const env = process.env;
    const proxy = opts.proxy ?? {};
    this.proxied = !opts.dispatcher && Boolean(proxy.httpsProxy ?? proxy.httpProxy ?? env.https_proxy ?? env.HTTPS_PROXY ?? env.http_proxy ?? env.HTTP_PROXY);
    this.policy = new OutboundPolicy(opts.outbound ?? { allowLoopback: false });
    this.tenantDispatcher = new Agent({ connect: this.policy.connector(opts.timeoutMs) });
  }

  /** The save-time check of a tenant URL (syntax and the addresses its host resolves to now); throws OutboundRefusedError. */
  checkTenantUrl(url: string): Promise<void> {
    return this.policy.check(url);
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const maxRetries = req.retries ?? this.opts.inlineRetries;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.once(req);
        const body = Buffer.from(await res.body.arrayBuffer());
        if (res.status >= 400 || (req.tenantUrl && res.status >= 300)) {
          const text = res.status < 400 ? "redirects are not followed" : body.toString("utf8");
          throw new HttpError(req.target, res.status, excerpt(text, req.tenantUrl ? TARGET_EXCERPT_CHARS : 300), parseRetryAfter(res.headers["retry-after"]));
        }
        return {
          status: res.status,
          headers: res.headers,
          body,
          text: () => body.toString("utf8"),
          json: <T>() => (body.length ? JSON.parse(body.toString("utf8")) : null) as T,
        };
      } catch (err) {
        const retryable = err instanceof NetworkError || (err instanceof HttpError && isRetryableStatus(err.status));
        if (!retryable || attempt > maxRetries) throw err;
        const wait = backoffDelay(this.opts.retry, attempt, err instanceof HttpError ? err.retryAfterMs : undefined);
        if (wait > this.opts.inlineRetryMaxWaitMs) throw err; // long waits belong to the job scheduler
        await sleep(wait);
      }
    }
  }

  /** A streamed response (archives). No inline retry: a retry would have to restart the consumer. */
  async stream(req: HttpRequest): Promise<HttpStreamResponse> {
    const res = await this.once(req);
    if (res.status >= 400 || (req.tenantUrl && res.status >= 300)) {
      const text = res.status < 400 ? "redirects are not followed" : Buffer.from(await res.body.arrayBuffer()).toString("utf8");
      throw new HttpError(req.target, res.status, excerpt(text, req.tenantUrl ? TARGET_EXCERPT_CHARS : 300), parseRetryAfter(res.headers["retry-after"]));
    }
    return { status: res.status, headers: res.headers, body: res.body };
  }

  private async once(req: HttpRequest): Promise<{ status: number; headers: Record<string, string>; body: Dispatcher.ResponseData["body"] }> {
    const headers: Record<string, string> = { "user-agent": "bitbucket-relay/0.1", ...req.headers };
    let body: string | Buffer | undefined = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers["content-type"] = "application/json";
    }
    if (req.authorize) Object.assign(headers, await req.authorize(req.method, req.url));
    const started = performance.now();
    const timeoutMs = req.timeoutMs ?? this.opts.timeoutMs;
    try {
      const { url, dispatcher } = req.tenantUrl ? await this.tenantRoute(req.url, headers) : { url: req.url, dispatcher: this.dispatcher };
      const res = await request(url, {
        method: req.method,
        headers,
        body,
        dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const durationMs = Math.round(performance.now() - started);
      this.observe(req, res.statusCode, durationMs);
      return { status: res.statusCode, headers: flattenHeaders(res.headers), body: res.body };
    } catch (err) {
      const durationMs = Math.round(performance.now() - started);
      this.observe(req, null, durationMs, err);
      const refused = refusalOf(err);
      if (refused) throw refused;
      throw new NetworkError(req.target, err);
    }
  }

  /**
   * Where a tenant URL goes. Direct: through the policy's dispatcher (the address checked at connect
   * time). Through a proxy (which would resolve the name itself): resolved and checked here, and sent to
   * that address (CONNECT names the checked IP; Host and TLS server name stay the host name).
   */
  private async tenantRoute(url: string, headers: Record<string, string>): Promise<{ url: string; dispatcher: Dispatcher }> {
    const u = this.policy.checkSyntax(url);
    if (!this.proxied) return { url, dispatcher: this.tenantDispatcher };
    const [first] = await this.policy.resolve(u.hostname);
    headers.host = u.host;
    const pinned = new URL(u);
    pinned.hostname = first!.family === 6 ? `[${first!.address}]` : first!.address;
    return { url: pinned.toString(), dispatcher: this.dispatcher };
  }

  private observe(req: HttpRequest, status: number | null, durationMs: number, err?: unknown) {
    this.opts.metrics?.outboundLatency.observe({ target: req.target, status: String(status ?? "error") }, durationMs / 1000);
    recordCall({
      target: req.target,
      method: req.method,
      url: req.displayUrl ?? redactUrl(req.url),
      status,
      durationMs,
      error: err instanceof Error ? err.message : undefined,
    });
  }
}

/** The policy's refusal behind an undici error (a connector error may arrive wrapped in `cause`). */
function refusalOf(err: unknown): OutboundRefusedError | null {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OutboundRefusedError) return e;
  }
  return null;
}
