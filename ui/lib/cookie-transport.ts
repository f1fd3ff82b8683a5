import { BaseTransport, TransportError, isErrorBody, safeJson } from "./transport";

type Method = "GET" | "POST" | "PUT";
type Fetch = typeof fetch;

/**
 * Pages a front door serves itself (Data Center, after "Log in with Bitbucket"): the session is an
 * `HttpOnly` cookie the browser sends with same-origin requests (`credentials: "same-origin"`; the
 * page never sees it), and every unsafe method carries the session's CSRF token in `X-CSRF-Token`
 * (from the page's bootstrap; `src/web/session/session-auth.ts` checks it). A 401 means the session
 * ended: the page asks the user to log in again.
 */
export class CookieTransport extends BaseTransport {
  constructor(
    private readonly csrfToken: string,
    private readonly apiBase: string,
    private readonly doFetch: Fetch = (input, init) => fetch(input, init),
  ) {
    super();
  }

  protected async send<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (method !== "GET") headers["x-csrf-token"] = this.csrfToken;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await this.doFetch(`${this.apiBase}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      redirect: "error",
    });
    const text = await res.text();
    const parsed: unknown = text ? safeJson(text) : null;
    if (!res.ok) {
      const reason = isErrorBody(parsed) ? parsed.error : `HTTP ${res.status}`;
      throw new TransportError(res.status, reason, isErrorBody(parsed) ? parsed.details : undefined);
    }
    return parsed as T;
  }
}
