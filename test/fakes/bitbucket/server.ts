import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Authenticator, AuthOutcome } from "./auth";
import { faultBody, type FaultInjector } from "./faults";
import type { OpenApiValidator } from "./openapi-validator";
import { oauthError } from "./routes/oauth";
import { errorReply, matchRoute, type Reply, type Route, type RouteContext } from "./routes/router";
import type { FakeState } from "./state";
import type { RecordedCall } from "./types";

/**
 * The HTTP side of the fake (node:http, 127.0.0.1, ephemeral port). Per request: read the body,
 * authenticate, record the call, wait for latency, apply an injected fault if one matches, then route:
 * bad credential -> 401, unknown path -> 404, wrong method -> 405, missing credential -> 401, handler.
 */

export interface ServerDeps {
  state: FakeState;
  auth: Authenticator;
  faults: FaultInjector;
  validator: OpenApiValidator;
  routes: Route[];
  record(call: RecordedCall): void;
  latencyMs(): number;
  base(): string;
}

export async function listen(deps: ServerDeps): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(req, res, deps).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { message: `Fake Bitbucket failed: ${String(err)}` } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

export function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseBody(raw: Buffer, contentType: string): { body: unknown; error?: string } {
  if (raw.length === 0) return { body: null };
  const text = raw.toString("utf8");
  if (/^application\/([\w.+-]+\+)?json/.test(contentType)) {
    try {
      const parsed: unknown = JSON.parse(text);
      return { body: parsed };
    } catch (err) {
      return { body: text, error: `JSON parse error - ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  if (contentType.startsWith("application/x-www-form-urlencoded")) return { body: Object.fromEntries(new URLSearchParams(text)) };
  return { body: text };
}

function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function handle(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const at = Date.now();
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", deps.base());
  // The qsh covers the request target as received (origin-form: path + query).
  const target = req.url?.startsWith("/") ? req.url : `${url.pathname}${url.search}`;
  const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
  const parsed = parseBody(await readBody(req), contentType);
  const outcome = deps.auth.authenticate(method, target, req.headers.authorization);
  const call: RecordedCall = {
    method,
    path: url.pathname,
    query: queryRecord(url.searchParams),
    body: parsed.body,
    auth: { kind: outcome.identity.kind, clientKey: outcome.ok ? outcome.identity.clientKey : null },
    status: 0,
    at,
  };
  deps.record(call);

  const fault = deps.faults.take(method, url.pathname);
  const delay = deps.latencyMs() + (fault?.latencyMs ?? 0);
  if (delay > 0) await sleep(delay);

  let reply: Reply;
  if (fault?.status !== undefined) {
    const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) };
    reply = { status: fault.status, headers, json: faultBody({ ...fault, status: fault.status }) };
  } else {
    reply = await route(deps, { method, url, contentType, body: parsed.body, bodyError: parsed.error, outcome });
  }
  send(res, reply, call);
}

interface Incoming {
  method: string;
  url: URL;
  contentType: string;
  body: unknown;
  bodyError?: string;
  outcome: AuthOutcome;
}

async function route(deps: ServerDeps, r: Incoming): Promise<Reply> {
  const pathname = r.url.pathname.length > 1 ? r.url.pathname.replace(/\/$/, "") : r.url.pathname;
  const match = matchRoute(deps.routes, r.method, pathname);
  const found = match && "route" in match ? match : undefined;
  if (!r.outcome.ok) {
    return found?.route.access === "oauth-token" ? oauthError(401, "invalid_client", r.outcome.message) : errorReply(401, r.outcome.message);
  }
  if (!match) return errorReply(404, `Resource not found: ${r.url.pathname}`);
  if (!found) {
    const allowed = "methodNotAllowed" in match ? match.methodNotAllowed : [];
    return { ...errorReply(405, `Method ${r.method} not allowed`), headers: { allow: allowed.join(", ") } };
  }
  const identity = r.outcome.identity;
  if (found.route.access === "api" && identity.kind === "none") return errorReply(401, "Authentication required");
  if (found.route.access === "site-bearer" && identity.kind !== "bearer") {
    return errorReply(401, "Downloads need an OAuth access token (Authorization: Bearer); a Connect JWT is not accepted here");
  }
  const ctx: RouteContext = {
    method: r.method,
    url: r.url,
    params: found.params,
    body: r.body,
    bodyError: r.bodyError,
    contentType: r.contentType,
    identity,
    state: deps.state,
    auth: deps.auth,
    validator: deps.validator,
    base: deps.base(),
  };
  return found.route.handle(ctx);
}

function send(res: ServerResponse, reply: Reply, call: RecordedCall): void {
  call.status = reply.status;
  const headers: Record<string, string | number> = { ...(reply.headers ?? {}) };
  if (reply.stream) {
    res.writeHead(reply.status, headers);
    reply.stream.on("error", (err) => res.destroy(err instanceof Error ? err : new Error(String(err))));
    reply.stream.pipe(res);
    return;
  }
  let payload: Buffer;
  if (reply.buffer) payload = reply.buffer;
  else if (typeof reply.json === "string") {
    payload = Buffer.from(reply.json);
    headers["content-type"] ??= "text/plain; charset=utf-8";
  } else {
    payload = Buffer.from(reply.json === undefined ? "" : JSON.stringify(reply.json));
    if (reply.json !== undefined) headers["content-type"] ??= "application/json; charset=utf-8";
  }
  headers["content-length"] = payload.length;
  res.writeHead(reply.status, headers);
  res.end(payload);
}
