import express from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Harness } from "../helpers/harness";
import { createApiRouter } from "../../src/web/api";
import { API_ROUTES } from "../../src/web/api/routes";
import { jsonBodyParser } from "../../src/web/raw-body";
import { errorHandler } from "../../src/web/errors";
import { CookieSessions } from "../../src/web/session/cookie-session";
import { sessionAuth } from "../../src/web/session/session-auth";
import { principalOf } from "../../src/web/principal";

/**
 * A test-only door for the cookie session, until a front door logs users in (Data Center, next):
 * `POST /test/login {accountId, repositoryUuid?}` starts a session for the harness tenant's
 * installation (what a real door does after the host vouched for the user), `POST /test/logout`
 * ends it, and `/test/api` serves the app's JSON API behind `sessionAuth`. Its own listener, on the
 * harness's services.
 */
export class SessionRouter {
  private constructor(
    readonly url: string,
    private readonly server: Server,
  ) {}

  static async start(h: Harness, sessions: CookieSessions): Promise<SessionRouter> {
    const app = express();
    app.use(jsonBodyParser(h.services.config.maxBodyBytes));
    const auth = sessionAuth(sessions, () => h.services.config.baseUrl);
    app.post("/test/login", async (req, res, next) => {
      try {
        const { accountId, repositoryUuid } = req.body as { accountId: string; repositoryUuid?: string };
        const issued = await sessions.issue(res, { installation: h.tenant.installation, accountId, repositoryUuid });
        res.json({ csrfToken: issued.csrfToken });
      } catch (err) {
        next(err);
      }
    });
    app.post("/test/logout", auth, (_req, res) => {
      sessions.clear(res);
      res.status(204).end();
    });
    app.get("/test/whoami", auth, (_req, res) => {
      const p = principalOf(res);
      res.json({ installationId: p.installation.id, host: p.host, accountId: p.accountId, repositoryUuid: p.repositoryUuid });
    });
    app.use("/test/api", auth, createApiRouter(h.services, API_ROUTES));
    app.use(errorHandler(h.services.log));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    return new SessionRouter(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, server);
  }

  /** A request as a browser on the app's origin would send it, with the session cookie when given. */
  fetch(method: string, path: string, o: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", ...o.headers };
    if (o.cookie) headers.cookie = o.cookie;
    if (o.body !== undefined) headers["content-type"] = "application/json";
    return fetch(`${this.url}${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), redirect: "manual" });
  }

  /** Logs in; returns the cookie to send back (`name=value`), its Set-Cookie line and the CSRF token. */
  async login(accountId: string, repositoryUuid?: string): Promise<{ cookie: string; setCookie: string; csrfToken: string }> {
    const res = await this.fetch("POST", "/test/login", { body: { accountId, repositoryUuid } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    const setCookie = res.headers.getSetCookie()[0] ?? "";
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { cookie: setCookie.split(";")[0]!, setCookie, csrfToken };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
