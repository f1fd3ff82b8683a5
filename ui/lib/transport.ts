import type { PageBootstrap } from "./bootstrap";

/**
 * How a page talks to the app's JSON API, whichever host loaded it. Paths are API paths
 * (e.g. `/review-radar/panel?repoUuid=…`); errors reject with a `TransportError`.
 */
export interface Transport {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
}

export class TransportError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Fetch = typeof fetch;

/** The verbs every transport offers, on top of one `send`. */
export abstract class BaseTransport implements Transport {
  get<T>(path: string): Promise<T> {
    return this.send<T>("GET", path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>("POST", path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>("PUT", path, body);
  }

  protected abstract send<T>(method: "GET" | "POST" | "PUT", path: string, body?: unknown): Promise<T>;
}

/**
 * Connect: `fetch(<apiBase><path>)` with `Authorization: JWT <page API token>`; the app answers with a fresh
 * one (same binding) in `X-acpt`, which replaces the current one for the next call.
 */
export class ConnectTransport extends BaseTransport {
  private token: string;

  constructor(
    token: string,
    private readonly apiBase = "/connect/api",
    private readonly doFetch: Fetch = (input, init) => fetch(input, init),
  ) {
    super();
    this.token = token;
  }

  protected async send<T>(method: "GET" | "POST" | "PUT", path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `JWT ${this.token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await this.doFetch(`${this.apiBase}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
    const renewed = res.headers.get("x-acpt");
    if (renewed) this.token = renewed;
    const text = await res.text();
    const parsed: unknown = text ? safeJson(text) : null;
    if (!res.ok) {
      const reason = isErrorBody(parsed) ? parsed.error : `HTTP ${res.status}`;
      throw new TransportError(res.status, reason, isErrorBody(parsed) ? parsed.details : undefined);
    }
    return parsed as T;
  }
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function isErrorBody(v: unknown): v is { error: string; details?: unknown } {
  return typeof v === "object" && v !== null && typeof (v as { error?: unknown }).error === "string";
}

/** Builds the transport of another host (Forge: `@forge/bridge` `invokeRemote`). */
export type TransportFactory = (bootstrap: PageBootstrap) => Transport;

const factories: Partial<Record<PageBootstrap["host"], TransportFactory>> = {
  connect: (b) => new ConnectTransport(b.token ?? "", b.apiBase),
};

/** The seam for the Forge front door: `registerTransport("forge", (b) => new ForgeTransport(b))`. */
export function registerTransport(host: PageBootstrap["host"], factory: TransportFactory): void {
  factories[host] = factory;
}

export function createTransport(bootstrap: PageBootstrap): Transport {
  const factory = factories[bootstrap.host];
  if (!factory) throw new Error(`no transport for host ${bootstrap.host}`);
  return factory(bootstrap);
}
