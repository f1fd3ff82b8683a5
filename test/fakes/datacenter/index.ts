import fs from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import express, { type NextFunction, type Request, type Response } from "express";
import { OpenApiValidator } from "../bitbucket/openapi-validator";
import { FIXTURES } from "../../helpers/fixtures";
import { DC_ROUTES } from "./routes";
import { deliver, ping, webhooksOf, type DcWebhooks, type DeliveryResult } from "./routes/webhooks";
import { DcState, type DcRepository, type DcToken, type DcUser, type GrantLevel, type RepoLevel } from "./state";

export * from "./state";

export interface DcCall {
  method: string;
  /** The path under the context path (`/rest/api/latest/...`). */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  /** `bearer`, `basic` or `none`. */
  auth: "bearer" | "basic" | "none";
  status?: number;
}

export interface DcFault {
  method?: string;
  /** Matches the path under the context path. */
  path: RegExp;
  status: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Hold the request this long before answering (a timeout fault). */
  delayMs?: number;
}

/** Who a request authenticated as. */
export interface DcPrincipal {
  token: DcToken;
  user: DcUser | null;
}

let spec: Record<string, unknown> | null = null;
function dcSpec(): Record<string, unknown> {
  spec ??= JSON.parse(fs.readFileSync(path.join(FIXTURES, "bitbucket/bitbucket-datacenter-9.2-openapi.json"), "utf8")) as Record<string, unknown>;
  return spec;
}

/**
 * A fake Bitbucket Data Center for tests, written from the official 9.2 OpenAPI spec
 * (test/fixtures/bitbucket/bitbucket-datacenter-9.2-openapi.json): served under a context path
 * (`baseUrl` = `http://127.0.0.1:<port>/bitbucket`), HTTP access tokens as Bearer (user, project and
 * repository tokens with permission levels; project/repository tokens refused over Basic), DC's
 * error shape (`{errors:[{context,message,exceptionName}]}`, 401 for a missing permission), every
 * JSON request body validated against the spec (400 otherwise), call recording and faults (status,
 * `Retry-After`, delays). Resources are route modules under `routes/` (`DC_ROUTES`).
 */
export class FakeDataCenter {
  readonly state = new DcState();
  calls: DcCall[] = [];
  private faults: Array<DcFault & { left: number }> = [];
  private readonly validator = new OpenApiValidator(dcSpec());
  private server: Server | null = null;
  baseUrl = "";
  readonly contextPath = "/bitbucket";
  /** Set by route modules that keep their own data (webhooks, OAuth grants): cleared with the fake. */
  readonly extensions = new Map<string, unknown>();

  static async start(): Promise<FakeDataCenter> {
    const fake = new FakeDataCenter();
    const app = express();
    app.disable("x-powered-by");
    app.use(express.raw({ type: () => true, limit: "10mb" }));
    app.use(fake.contextPath, (req, res, next) => fake.intake(req, res, next).catch(next));
    for (const routes of DC_ROUTES) app.use(`${fake.contextPath}`, routes(fake));
    app.use((req, res) => fake.error(res, 404, `No resource at ${req.path}`, "com.atlassian.bitbucket.NoSuchResourceException"));
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => fake.error(res, 500, `fake DC failed: ${String(err)}`));
    await new Promise<void>((resolve) => {
      fake.server = app.listen(0, "127.0.0.1", () => resolve());
    });
    fake.baseUrl = `http://127.0.0.1:${(fake.server!.address() as AddressInfo).port}${fake.contextPath}`;
    return fake;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  // ---- seeding -------------------------------------------------------------------------------

  addProject(key: string, name = key): void {
    if (!this.state.projects.has(key)) this.state.projects.set(key, { id: this.state.id(), key, name, type: key.startsWith("~") ? "PERSONAL" : "NORMAL" });
  }

  addRepository(projectKey: string, slug: string, opts: { defaultBranch?: string | null; name?: string } = {}): DcRepository {
    this.addProject(projectKey);
    const repo: DcRepository = { id: this.state.id(), slug, name: opts.name ?? slug, projectKey, defaultBranch: opts.defaultBranch === undefined ? "refs/heads/main" : opts.defaultBranch, archived: false };
    this.state.repositories.set(repo.id, repo);
    return repo;
  }

  addUser(name: string, opts: Partial<Omit<DcUser, "id" | "name">> = {}): DcUser {
    const user: DcUser = { id: this.state.id(), name, slug: opts.slug ?? name.toLowerCase().replace(/[^a-z0-9._-]/g, "_"), displayName: opts.displayName ?? name, emailAddress: opts.emailAddress ?? `${name}@example.com`, type: opts.type ?? "NORMAL", active: opts.active ?? true };
    this.state.users.set(user.slug, user);
    return user;
  }

  grant(user: DcUser, level: GrantLevel, on: { project?: string; repository?: DcRepository } = {}): void {
    this.state.grants.push({ userSlug: user.slug, level, projectKey: on.project ?? on.repository?.projectKey, repositoryId: on.repository?.id });
  }

  /** Issues an HTTP access token (user, project or repository scope). */
  issueToken(opts: { user?: DcUser; project?: string; repository?: DcRepository; permissions: GrantLevel[]; ttlSeconds?: number }): string {
    const token = `BBDC-${Buffer.from(`${this.state.id()}:${Math.random()}`).toString("base64url")}`;
    const scope: DcToken["scope"] = opts.repository ? { kind: "repository", repositoryId: opts.repository.id } : opts.project ? { kind: "project", projectKey: opts.project } : { kind: "user" };
    this.state.tokens.set(token, { token, userSlug: opts.user?.slug ?? null, permissions: opts.permissions, scope, expiresAt: opts.ttlSeconds ? Date.now() + opts.ttlSeconds * 1000 : null });
    return token;
  }

  /**
   * Revokes an HTTP access token, as an admin deleting it in DC's UI: requests with it are answered
   * 401 `IncorrectPasswordAuthenticationException`. Returns what was revoked (`reinstate` puts it back).
   */
  revokeToken(token: string): DcToken {
    const t = this.state.tokens.get(token);
    if (!t) throw new Error("no such token");
    this.state.tokens.delete(token);
    return t;
  }

  /** Puts a revoked token back (the test's stand-in for the operator's fix). */
  reinstate(t: DcToken): void {
    this.state.tokens.set(t.token, t);
  }

  /** The repository webhooks registered on the fake, their delivery history and the webhooks capability (routes/webhooks.ts). */
  get webhooks(): DcWebhooks {
    return webhooksOf(this);
  }

  /** Delivers an event to the repository's subscribed webhooks, signed exactly as DC does (routes/webhooks.ts `deliver`). */
  deliver(repo: DcRepository, eventKey: string, payload: unknown, opts: { requestId?: string; unsigned?: boolean } = {}): Promise<DeliveryResult[]> {
    return deliver(this, repo, eventKey, payload, opts);
  }

  /** DC's unsigned "Test connection" (`diagnostics:ping`, `{"test":true}`) to the repository's webhooks. */
  ping(repo: DcRepository): Promise<DeliveryResult[]> {
    return ping(this, repo);
  }

  fault(f: DcFault): void {
    this.faults.push({ ...f, left: f.times ?? 1 });
  }

  // ---- for route modules ---------------------------------------------------------------------

  /** DC's error body. */
  error(res: Response, status: number, message: string, exceptionName: string | null = null, context: string | null = null): void {
    if (res.headersSent) return;
    res.status(status).json({ errors: [{ context, message, exceptionName }] });
  }

  principal(req: Request): DcPrincipal | null {
    return (req as Request & { dcPrincipal?: DcPrincipal }).dcPrincipal ?? null;
  }

  /**
   * The repository of `:projectKey/:repositorySlug` if the request's credential has `need` on it;
   * otherwise answers as DC does (401 not permitted, 404 no such repository) and returns null.
   */
  requireRepository(req: Request, res: Response, need: RepoLevel): DcRepository | null {
    const p = this.principal(req);
    if (!p) {
      this.error(res, 401, "Authentication failed. Please check your credentials and try again.", "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException");
      return null;
    }
    const repo = this.state.repository(String(req.params.projectKey), String(req.params.repositorySlug));
    const level = repo ? this.state.tokenLevel(p.token, repo) : null;
    if (!repo || !level) {
      this.error(res, 404, `Repository ${String(req.params.projectKey)}/${String(req.params.repositorySlug)} does not exist.`, "com.atlassian.bitbucket.repository.NoSuchRepositoryException");
      return null;
    }
    if (!DcState.atLeast(level, need)) {
      this.error(res, 401, `You are not permitted to access this resource (${need} needed).`, "com.atlassian.bitbucket.AuthorisationException");
      return null;
    }
    return repo;
  }

  /** A JSON request body (route modules get the raw bytes from express.raw). */
  json<T = unknown>(req: Request): T {
    const raw = req.body as Buffer | undefined;
    return (raw && raw.length ? JSON.parse(raw.toString("utf8")) : null) as T;
  }

  /** `{size, limit, isLastPage, start, nextPageStart, values}` from `start` / `limit` query params. */
  page<T>(req: Request, all: T[]): Record<string, unknown> {
    const start = Math.max(0, Number(req.query.start ?? 0) || 0);
    const limit = Math.min(1000, Math.max(1, Number(req.query.limit ?? 25) || 25));
    const values = all.slice(start, start + limit);
    const isLastPage = start + values.length >= all.length;
    return { size: values.length, limit, isLastPage, start, values, ...(isLastPage ? {} : { nextPageStart: start + values.length }) };
  }

  // ---- every request ---------------------------------------------------------------------------

  private async intake(req: Request, res: Response, next: NextFunction): Promise<void> {
    const auth = req.headers.authorization ?? "";
    const call: DcCall = { method: req.method, path: req.path, query: { ...req.query }, body: null, auth: auth.startsWith("Bearer ") ? "bearer" : auth.startsWith("Basic ") ? "basic" : "none" };
    this.calls.push(call);
    res.on("finish", () => (call.status = res.statusCode));
    const raw = req.body as Buffer | undefined;
    const isJson = /json/.test(req.headers["content-type"] ?? "");
    if (raw?.length && isJson) {
      try {
        call.body = JSON.parse(raw.toString("utf8"));
      } catch {
        return this.error(res, 400, "The request body is not valid JSON.", "com.atlassian.bitbucket.rest.exception.BadRequestException");
      }
    }
    const fault = this.faults.find((f) => f.left > 0 && f.path.test(req.path) && (!f.method || f.method === req.method));
    if (fault) {
      fault.left--;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.retryAfter !== undefined) res.setHeader("retry-after", String(fault.retryAfter));
      return this.error(res, fault.status, `injected fault ${fault.status}`);
    }
    const principal = this.authenticate(auth);
    if (principal === "refused") return this.error(res, 401, "Authentication failed. Please check your credentials and try again.", "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException");
    if (principal) {
      (req as Request & { dcPrincipal?: DcPrincipal }).dcPrincipal = principal;
      if (principal.user) res.setHeader("x-ausername", principal.user.name);
    }
    if (req.path.startsWith("/rest/") && call.body !== null) {
      const apiPath = req.path.slice("/rest".length);
      const result = this.validator.validate(req.method, apiPath, call.body);
      if (!result.ok) {
        res.status(400).json({ errors: Object.entries(result.fields).map(([context, msgs]) => ({ context, message: msgs.join(" "), exceptionName: "javax.validation.ConstraintViolationException" })) });
        return;
      }
    }
    next();
  }

  private authenticate(header: string): DcPrincipal | "refused" | null {
    if (!header) return null;
    if (header.startsWith("Bearer ")) {
      const token = this.state.tokens.get(header.slice(7).trim());
      if (!token || (token.expiresAt !== null && token.expiresAt < Date.now())) return "refused";
      return { token, user: token.userSlug ? (this.state.users.get(token.userSlug) ?? null) : null };
    }
    if (header.startsWith("Basic ")) {
      const [name, password] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
      const token = password ? this.state.tokens.get(password) : undefined;
      // Project and repository tokens work only as Bearer (datacenter-app.md §0.3).
      if (!token || token.scope.kind !== "user" || !token.userSlug) return "refused";
      const user = this.state.users.get(token.userSlug);
      if (!user || (user.name !== name && user.slug !== name)) return "refused";
      return { token, user };
    }
    return "refused";
  }
}
