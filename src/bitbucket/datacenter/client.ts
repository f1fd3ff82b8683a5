import type { Readable } from "node:stream";
import { HttpError } from "../../http/errors";
import type { InstallationView } from "../../core/installations";
import { BitbucketAuthError, BitbucketClient, BitbucketError, type Query } from "../client";

/**
 * Data Center's paged envelope (every list resource; reference datacenter-app.md §4): request with
 * `start` (0-based) and `limit`, continue with `start=nextPageStart` until `isLastPage`.
 */
export interface DataCenterPage<T> {
  values: T[];
  size: number;
  limit: number;
  start: number;
  isLastPage: boolean;
  nextPageStart?: number | null;
}

/** DC's error body: `{errors:[{context, message, exceptionName}]}` (9.2 spec `RestErrors`). */
interface RestErrors {
  errors?: Array<{ context?: string | null; message?: string | null; exceptionName?: string | null }>;
}

/**
 * The messages of a DC error body, joined (`"key: must not be blank"`); null when it is not DC's shape.
 * The HTTP client keeps only an excerpt of an error body: when the JSON was cut, the complete
 * `"message"` strings in what is left are used.
 */
export function dataCenterErrorMessage(err: unknown): string | null {
  if (!(err instanceof HttpError) || !err.bodySnippet) return null;
  try {
    const body = JSON.parse(err.bodySnippet) as RestErrors;
    const msgs = (body.errors ?? []).map((e) => [e.context, e.message].filter(Boolean).join(": ")).filter(Boolean);
    return msgs.length ? msgs.join("; ") : null;
  } catch {
    if (!err.bodySnippet.includes('"errors"')) return null;
    const msgs = [...err.bodySnippet.matchAll(/"message":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1"));
    return msgs.length ? msgs.join("; ") : null;
  }
}

/** DC's exception names in a 401 that mean "this credential lacks a permission", not "bad credentials". */
const NOT_PERMITTED = /AuthorisationException|ForbiddenException|InsufficientPermission/;

/**
 * A DC error with DC's own message: `bitbucket answered 404: Repository PROJ/x does not exist.`
 * instead of the raw JSON. Data Center answers **401** both for a bad token and for a missing
 * permission (`AuthorisationException`); only the first is a `BitbucketAuthError` (worth a later
 * retry with a fresh token, like Cloud's 401); a missing permission is a plain, non-retryable
 * `BitbucketError` with status 401 (like Cloud's 403: no retry can fix it).
 */
export function dataCenterError(err: HttpError): HttpError {
  const msg = dataCenterErrorMessage(err);
  const out = err instanceof BitbucketAuthError && NOT_PERMITTED.test(err.bodySnippet) ? new BitbucketError(err.target, err.status, err.bodySnippet, err.retryAfterMs) : err;
  if (msg) out.message = `${err.target} answered ${err.status}: ${msg}`;
  return out;
}

/** Largest page DC serves (`page.max.changes`-style server caps apply above it); fewer round trips than the default 25. */
export const DC_PAGE_LIMIT = 100;

/**
 * The typed Bitbucket Data Center REST client of one installation: the Cloud client's transport
 * (the one HTTP client, retry policy, error types, and the door's credential: Bearer token) on the
 * installation's `baseApiUrl` (`<base URL with context path>/rest`), with DC's `start`/`nextPageStart`
 * paging. Paths are given under `/rest` (`/api/latest/projects/{key}/repos/{slug}`), as in the 9.2 spec.
 */
export class DataCenterClient extends BitbucketClient {
  override async request<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, opts: { query?: Query; body?: unknown } = {}): Promise<T> {
    try {
      return await super.request<T>(method, path, opts);
    } catch (err) {
      throw err instanceof HttpError ? dataCenterError(err) : err;
    }
  }

  /** A streamed download (archives) under the REST root, with DC's error messages. */
  override async download(pathOrUrl: string): Promise<{ body: Readable; length?: number }> {
    try {
      return await super.download(pathOrUrl);
    } catch (err) {
      throw err instanceof HttpError ? dataCenterError(err) : err;
    }
  }

  /** Follows `nextPageStart` until `isLastPage`; yields one page at a time. */
  async *dcPages<T>(path: string, query: Query = {}): AsyncGenerator<DataCenterPage<T>> {
    let start: number | undefined = 0;
    while (start !== undefined) {
      const page: DataCenterPage<T> = await this.get<DataCenterPage<T>>(path, { limit: DC_PAGE_LIMIT, ...query, start });
      yield page;
      start = page.isLastPage || page.nextPageStart == null || page.nextPageStart <= start ? undefined : page.nextPageStart;
    }
  }

  /** Every value of a paged resource, up to `max`. */
  async dcAll<T>(path: string, query: Query = {}, max = Infinity): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.dcPages<T>(path, query)) {
      out.push(...page.values);
      if (out.length >= max) return out.slice(0, max);
    }
    return out;
  }

  delete(path: string, query?: Query): Promise<unknown> {
    return this.request("DELETE", path, { query });
  }
}

/** `/api/latest/projects/{key}/repos/{slug}`, encoded (personal projects' keys start with `~`). */
export function dcRepoPath(projectKey: string, slug: string): string {
  return `/api/latest/projects/${encodeURIComponent(projectKey)}/repos/${encodeURIComponent(slug)}`;
}

/**
 * The DC client of a Data Center installation (`Services.bitbucketFor`, which the DC door makes
 * return a `DataCenterClient`). Error when the installation is not a Data Center one.
 */
export function dataCenterClient(services: { bitbucketFor(installation: InstallationView): BitbucketClient }, installation: InstallationView): DataCenterClient {
  const client = services.bitbucketFor(installation);
  if (!(client instanceof DataCenterClient)) throw new Error(`installation ${installation.id} is not a Data Center installation (host ${installation.host})`);
  return client;
}
