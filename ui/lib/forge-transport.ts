import { BaseTransport, TransportError } from "./transport";

type Method = "GET" | "POST" | "PUT";

/** What `@forge/bridge`'s `invokeRemote` takes and resolves with (the slice the app uses). */
export interface RemoteInvokeInput {
  path: string;
  method: Method;
  headers?: Record<string, string>;
  body?: unknown;
}
export interface RemoteInvokeResult {
  status: number;
  headers?: Record<string, unknown>;
  body?: unknown;
}
export type RemoteInvoker = (input: RemoteInvokeInput) => Promise<RemoteInvokeResult>;

/** The error text `invokeRemote` rejects with when the remote answered 401 to the FIT. */
const FIT_REJECTED = /Forge Invocation Token/i;

/**
 * Forge: the same API calls as Connect's transport, sent through `invokeRemote` — Forge proxies
 * them to the remote (`/forge/api<path>`) with a FIT that the Forge front door verifies. Bodies
 * travel as JSON objects (Forge's rule); error answers carry `{ error }` like every API answer.
 */
export class ForgeTransport extends BaseTransport {
  constructor(
    private readonly invoke: RemoteInvoker,
    private readonly apiBase = "/forge/api",
  ) {
    super();
  }

  protected async send<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const input: RemoteInvokeInput = { path: `${this.apiBase}${path}`, method, headers: { accept: "application/json" } };
    if (body !== undefined) input.body = body;
    let res: RemoteInvokeResult;
    try {
      res = await this.invoke(input);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (FIT_REJECTED.test(message)) throw new TransportError(401, "Forge could not authenticate this page with the app");
      throw new TransportError(502, "The app could not be reached through Forge");
    }
    const parsed = typeof res.body === "string" ? safeJson(res.body) : (res.body ?? null);
    if (res.status < 200 || res.status >= 300) {
      const reason = isErrorBody(parsed) ? parsed.error : `HTTP ${res.status}`;
      throw new TransportError(res.status, reason, isErrorBody(parsed) ? parsed.details : undefined);
    }
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isErrorBody(v: unknown): v is { error: string; details?: unknown } {
  return typeof v === "object" && v !== null && typeof (v as { error?: unknown }).error === "string";
}
