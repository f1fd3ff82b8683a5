import { createHash, randomBytes } from "node:crypto";
import { Router, type Request, type Response } from "express";
import type { FakeDataCenter } from "..";
import type { DcUser, GrantLevel } from "../state";

/** An incoming application link (OAuth 2.0 client) registered on the fake. */
export interface DcOAuthClient {
  clientId: string;
  clientSecret: string;
  /** Compared exactly (DC's matching rule is UNVERIFIED; exact is the strict reading). */
  redirectUri: string;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  userSlug: string;
  scopes: string[];
  challenge: string;
  /** Epoch ms. */
  expiresAt: number;
}

interface RefreshGrant {
  clientId: string;
  userSlug: string;
  scopes: string[];
}

/**
 * The fake's OAuth 2.0 authorization server (DC as provider of an incoming application link,
 * datacenter-app.md §1.2). Tests drive it: `browserUser` is the DC user the "browser" is logged in
 * as (null: DC would show its login page, the fake answers 401), `now` is its clock (codes expire
 * after `codeTtlSeconds`, 10 s like DC's default), `consent: false` makes the user deny access.
 */
export class DcOAuthServer {
  readonly clients = new Map<string, DcOAuthClient>();
  browserUser: DcUser | null = null;
  consent = true;
  now: () => number = Date.now;
  codeTtlSeconds = 10;
  accessTtlSeconds = 3600;
  readonly codes = new Map<string, PendingCode>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  /** Every token request's grant type and outcome, in order. */
  readonly tokenRequests: Array<{ grantType: string; status: number; error?: string }> = [];

  addClient(c: DcOAuthClient): void {
    this.clients.set(c.clientId, c);
  }
}

/** The OAuth server of a fake (created on first use, kept with the fake). */
export function dcOAuth(fake: FakeDataCenter): DcOAuthServer {
  let s = fake.extensions.get("oauth") as DcOAuthServer | undefined;
  if (!s) {
    s = new DcOAuthServer();
    fake.extensions.set("oauth", s);
  }
  return s;
}

/**
 * What a token's scopes let it do (capped by the user's own permissions in `DcState.tokenLevel`).
 * `REPO_READ|REPO_WRITE|REPO_ADMIN` as DC's scope checkboxes name them; `PUBLIC_REPOS` grants nothing
 * beyond public repositories (the fake has none).
 */
function permissionsOf(scopes: string[]): GrantLevel[] {
  return scopes.filter((s): s is GrantLevel => s === "REPO_READ" || s === "REPO_WRITE" || s === "REPO_ADMIN" || s === "PROJECT_ADMIN");
}

function s256(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

function form(req: Request): URLSearchParams {
  const raw = req.body as Buffer | undefined;
  return new URLSearchParams(raw?.length ? raw.toString("utf8") : "");
}

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).set("cache-control", "no-store").json({ error, error_description: description });
}

/** `GET /rest/oauth2/latest/authorize` and `POST /rest/oauth2/latest/token` (RFC 6749 §4.1, RFC 7636). */
export function oauthRoutes(fake: FakeDataCenter): Router {
  const r = Router();
  const server = dcOAuth(fake);

  r.get("/rest/oauth2/latest/authorize", (req, res) => {
    const q = (k: string) => (typeof req.query[k] === "string" ? (req.query[k] as string) : "");
    const client = server.clients.get(q("client_id"));
    // RFC 6749 §4.1.2.1: an unknown client or a redirect URI that does not match is told to the user, never redirected to.
    if (!client) return void res.status(400).type("text/plain").send("Invalid client_id");
    if (q("redirect_uri") !== client.redirectUri) return void res.status(400).type("text/plain").send("Invalid redirect_uri");
    const back = (params: Record<string, string>) => {
      const u = new URL(client.redirectUri);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      if (q("state")) u.searchParams.set("state", q("state"));
      res.redirect(302, u.toString());
    };
    if (q("response_type") !== "code") return back({ error: "unsupported_response_type" });
    if (!q("code_challenge") || q("code_challenge_method").toUpperCase() !== "S256") return back({ error: "invalid_request", error_description: "PKCE S256 code_challenge required" });
    if (!server.browserUser) return void res.status(401).type("text/plain").send("Log in to Bitbucket");
    if (!server.consent) return back({ error: "access_denied" });
    const code = randomBytes(24).toString("base64url");
    server.codes.set(code, {
      clientId: client.clientId,
      redirectUri: client.redirectUri,
      userSlug: server.browserUser.slug,
      scopes: q("scope").split(" ").filter(Boolean),
      challenge: q("code_challenge"),
      expiresAt: server.now() + server.codeTtlSeconds * 1000,
    });
    back({ code });
  });

  r.post("/rest/oauth2/latest/token", (req, res) => {
    const f = form(req);
    const grantType = f.get("grant_type") ?? "";
    const fail = (status: number, error: string, description: string) => {
      server.tokenRequests.push({ grantType, status, error });
      oauthError(res, status, error, description);
    };
    if (!/^application\/x-www-form-urlencoded/.test(req.headers["content-type"] ?? "")) return fail(400, "invalid_request", "form body expected");
    const client = server.clients.get(f.get("client_id") ?? "");
    if (!client || f.get("client_secret") !== client.clientSecret) return fail(401, "invalid_client", "client authentication failed");
    let userSlug: string;
    let scopes: string[];
    if (grantType === "authorization_code") {
      const code = f.get("code") ?? "";
      const pending = server.codes.get(code);
      server.codes.delete(code); // single use, whatever the outcome
      if (!pending || pending.clientId !== client.clientId) return fail(400, "invalid_grant", "unknown or used authorization code");
      if (pending.expiresAt < server.now()) return fail(400, "invalid_grant", "authorization code expired");
      if (f.get("redirect_uri") !== pending.redirectUri) return fail(400, "invalid_grant", "redirect_uri does not match");
      const verifier = f.get("code_verifier") ?? "";
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || s256(verifier) !== pending.challenge) return fail(400, "invalid_grant", "PKCE verification failed");
      ({ userSlug, scopes } = pending);
    } else if (grantType === "refresh_token") {
      const old = f.get("refresh_token") ?? "";
      const grant = server.refreshTokens.get(old);
      server.refreshTokens.delete(old); // rotated: a refresh token is used once (UNVERIFIED on DC; the strict reading)
      if (!grant || grant.clientId !== client.clientId) return fail(400, "invalid_grant", "unknown refresh token");
      ({ userSlug, scopes } = grant);
    } else return fail(400, "unsupported_grant_type", `grant_type ${grantType || "(none)"} is not supported`);
    const user = fake.state.users.get(userSlug);
    if (!user?.active) return fail(400, "invalid_grant", "user is not active");
    const accessToken = fake.issueToken({ user, permissions: permissionsOf(scopes), ttlSeconds: server.accessTtlSeconds });
    const refreshToken = randomBytes(32).toString("base64url");
    server.refreshTokens.set(refreshToken, { clientId: client.clientId, userSlug, scopes });
    server.tokenRequests.push({ grantType, status: 200 });
    res.set("cache-control", "no-store").json({ access_token: accessToken, refresh_token: refreshToken, expires_in: server.accessTtlSeconds, token_type: "bearer", scope: scopes.join(" ") });
  });
  return r;
}
