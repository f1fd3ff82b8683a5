import type { Readable } from "node:stream";
import type { HttpClient } from "../http/client";
import { HttpError } from "../http/errors";
import type { BitbucketAuth } from "./auth";

export type Query = Record<string, string | number | boolean | undefined | Array<string | number>>;

/** Bitbucket's paginated envelope: only `values` and `next` are guaranteed. */
export interface Page<T> {
  values: T[];
  next?: string;
  pagelen?: number;
  size?: number;
  page?: number;
}

export class BitbucketError extends HttpError {}

/**
 * Bitbucket refused the credentials. Worth a later retry with fresh ones (a token rotated, a Forge
 * system token not delivered yet right after install); bounded by the job's attempts.
 */
export class BitbucketAuthError extends HttpError {
  override get retryable(): boolean {
    return true;
  }
}

/** `{ws}/{slug}` path segments, encoded (UUIDs with braces included). */
export function repoPath(workspace: string, slug: string): string {
  return `/2.0/repositories/${encodeURIComponent(workspace)}/${encodeURIComponent(slug)}`;
}

/**
 * The typed Bitbucket Cloud client of one installation. Requests go to the installation's
 * `baseApiUrl`; auth comes from the installation's credential kind; retries, timeouts and call
 * recording come from the one HTTP client. Resource-specific calls live in `api/*.ts`.
 */
export class BitbucketClient {
  constructor(
    private readonly http: HttpClient,
    readonly baseApiUrl: string,
    readonly siteUrl: string,
    private readonly auth: BitbucketAuth,
  ) {}

  url(path: string, query?: Query): string {
    const u = new URL(path.startsWith("http") ? path : `${this.baseApiUrl.replace(/\/$/, "")}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) u.searchParams.append(k, String(item));
    }
    return u.toString();
  }

  async request<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, opts: { query?: Query; body?: unknown } = {}): Promise<T> {
    const url = this.url(path, opts.query);
    try {
      const res = await this.http.send({
        target: "bitbucket",
        method,
        url,
        json: opts.body,
        headers: { accept: "application/json" },
        authorize: (m, u) => this.auth.headers(m, u),
      });
      return res.json<T>();
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) {
        this.auth.invalidate();
        throw new BitbucketAuthError(err.target, err.status, err.bodySnippet, err.retryAfterMs);
      }
      throw err;
    }
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", path, { query });
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, { body });
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, { body });
  }

  /** Follows `next` links; yields one page at a time. */
  async *pages<T>(path: string, query?: Query): AsyncGenerator<Page<T>> {
    let next: string | undefined = this.url(path, query);
    while (next) {
      const page: Page<T> = await this.get<Page<T>>(next);
      yield page;
      next = page.next;
    }
  }

  async all<T>(path: string, query?: Query, limit = Infinity): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages<T>(path, query)) {
      out.push(...page.values);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** A streamed download from the Bitbucket site with the bearer token (archives). Follows redirects. */
  async download(pathOrUrl: string): Promise<{ body: Readable; length?: number }> {
    let url = pathOrUrl.startsWith("http") ? pathOrUrl : `${this.siteUrl.replace(/\/$/, "")}${pathOrUrl}`;
    const origin = new URL(url).origin;
    for (let hop = 0; hop < 5; hop++) {
      const sameOrigin = new URL(url).origin === origin;
      const token = sameOrigin ? await this.auth.bearerToken() : undefined;
      const res = await this.http.stream({
        target: "bitbucket",
        method: "GET",
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (res.status >= 300 && res.status < 400 && res.headers.location) {
        res.body.resume();
        url = new URL(res.headers.location, url).toString(); // the token never follows to another origin
        continue;
      }
      const len = res.headers["content-length"];
      return { body: res.body, length: len ? Number(len) : undefined };
    }
    throw new BitbucketError("bitbucket", 310, "too many redirects");
  }
}
