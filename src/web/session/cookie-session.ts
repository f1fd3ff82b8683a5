import { createHmac, randomUUID } from "node:crypto";
import type { Request, Response } from "express";
import { SignJWT, errors as joseErrors, jwtVerify } from "jose";
import type { Config } from "../../config/config";
import type { InstallationService, InstallationView } from "../../core/installations";
import type { SecretBox } from "../../crypto/secrets";
import type { Principal } from "../principal";

/** Eight hours: a working day; the user logs in again after that. */
export const DEFAULT_SESSION_MAX_AGE_S = 8 * 60 * 60;
const AUDIENCE = "relay-session";
const TYPE = "relay-session+jwt";

/** Who a session is for: the same facts a Connect page API token or a Forge FIT establishes. */
export interface SessionBinding {
  installation: InstallationView;
  /** The host's id of the logged-in user (DC: the user slug). */
  accountId: string | null;
  /** The repository the session is bound to, when it is bound to one (the API's repository binding). */
  repositoryUuid?: string | null;
  /** The host's stable numeric id of the user, when it has one besides `accountId` (DC: `RestApplicationUser.id`). */
  userId?: string | null;
}

export interface VerifiedSession {
  principal: Principal;
  sessionId: string;
  /** `SessionBinding.userId`, null when the session was issued without one. */
  userId: string | null;
  /** Epoch seconds. */
  expiresAt: number;
}

/** A session refused: 401 (missing, tampered, expired, unknown installation) or 403 (CSRF). */
export class SessionError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

export interface CookieSessionDeps {
  config: Pick<Config, "baseUrl">;
  box: SecretBox;
  installations: Pick<InstallationService, "get">;
}

/**
 * Cookie sessions for the pages a front door serves itself (Data Center: after "Log in with Bitbucket").
 * The cookie holds a JWT (HS256, signed and verified with `jose`, algorithm pinned, `typ`, audience,
 * issuer = BASE_URL, `exp`) whose claims are ids only — session id, installation id, account id,
 * repository — never a secret or a token of the host. The key is derived from ENCRYPTION_KEY
 * (`SecretBox.deriveKey`), so it rotates with it. Cookie: `HttpOnly`, `SameSite=Lax`, `Path=/`,
 * `Secure` and the `__Host-` prefix when BASE_URL is https (RFC 6265bis §4.1.3.2).
 *
 * CSRF: the token is an HMAC of the session id under a second derived key (a synchroniser token
 * that needs no server state; OWASP CSRF cheat sheet, "signed double-submit"); the page gets it in
 * its bootstrap and sends it as `X-CSRF-Token` on every unsafe method (`session-auth.ts`).
 * Logging out clears the cookie; a copied cookie stays valid until it expires (stateless sessions).
 */
export class CookieSessions {
  private readonly signingKey: Buffer;
  private readonly csrfKey: Buffer;
  readonly maxAgeSeconds: number;
  private readonly clock: () => number;

  constructor(
    private readonly deps: CookieSessionDeps,
    opts: { maxAgeSeconds?: number; /** Epoch ms (tests issue sessions in the past). */ clock?: () => number } = {},
  ) {
    this.signingKey = deps.box.deriveKey("cookie session v1");
    this.csrfKey = deps.box.deriveKey("cookie session csrf v1");
    this.maxAgeSeconds = opts.maxAgeSeconds ?? DEFAULT_SESSION_MAX_AGE_S;
    this.clock = opts.clock ?? Date.now;
  }

  /** True when BASE_URL is https: the cookie is `Secure` and `__Host-` prefixed. */
  get secure(): boolean {
    return this.deps.config.baseUrl.startsWith("https:");
  }

  get cookieName(): string {
    return this.secure ? "__Host-relay-session" : "relay-session";
  }

  /** The CSRF token of a session (base64url HMAC-SHA256 of its id). */
  csrfTokenOf(sessionId: string): string {
    return createHmac("sha256", this.csrfKey).update(sessionId).digest("base64url");
  }

  /** Starts a session: sets the cookie and returns the CSRF token for the page's bootstrap. */
  async issue(res: Response, binding: SessionBinding): Promise<{ sessionId: string; csrfToken: string; expiresAt: number }> {
    const now = Math.floor(this.clock() / 1000);
    const sessionId = randomUUID();
    const expiresAt = now + this.maxAgeSeconds;
    const token = await new SignJWT({ ins: binding.installation.id, repo: binding.repositoryUuid ?? null, ...(binding.userId ? { uid: binding.userId } : {}) })
      .setProtectedHeader({ alg: "HS256", typ: TYPE })
      .setJti(sessionId)
      .setSubject(binding.accountId ?? "")
      .setIssuer(this.deps.config.baseUrl)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .sign(this.signingKey);
    res.cookie(this.cookieName, token, { httpOnly: true, secure: this.secure, sameSite: "lax", path: "/", maxAge: this.maxAgeSeconds * 1000 });
    return { sessionId, csrfToken: this.csrfTokenOf(sessionId), expiresAt };
  }

  /** Ends the session in this browser (the cookie is replaced by an expired one). */
  clear(res: Response): void {
    res.clearCookie(this.cookieName, { httpOnly: true, secure: this.secure, sameSite: "lax", path: "/" });
  }

  /** The session of a request. Throws `SessionError` 401 when it is missing, tampered, expired or its installation is gone. */
  async verify(req: Request): Promise<VerifiedSession> {
    const token = cookieValue(req.get("cookie"), this.cookieName);
    if (!token) throw new SessionError(401, "not logged in");
    let claims: { jti?: string; sub?: string; ins?: unknown; repo?: unknown; uid?: unknown; exp?: number };
    try {
      ({ payload: claims } = await jwtVerify(token, this.signingKey, {
        algorithms: ["HS256"],
        typ: TYPE,
        audience: AUDIENCE,
        issuer: this.deps.config.baseUrl,
        requiredClaims: ["jti", "exp", "ins"],
        currentDate: new Date(this.clock()),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new SessionError(401, "session expired, log in again");
      throw new SessionError(401, "invalid session");
    }
    if (typeof claims.ins !== "string" || !claims.jti) throw new SessionError(401, "invalid session");
    const installation = await this.deps.installations.get(claims.ins);
    if (!installation) throw new SessionError(401, "unknown installation");
    const principal: Principal = {
      installation,
      accountId: claims.sub ? claims.sub : null,
      host: installation.host,
      repositoryUuid: typeof claims.repo === "string" ? claims.repo : null,
    };
    return { principal, sessionId: claims.jti, userId: typeof claims.uid === "string" ? claims.uid : null, expiresAt: claims.exp! };
  }
}

/**
 * One cookie's value from a `Cookie` header (RFC 6265 §5.4: `name=value` pairs separated by `; `).
 * Written here rather than with a cookie library: the app reads exactly one cookie whose value is a
 * JWT (base64url and dots, never quoted or percent-encoded), and express's own `cookie` dependency is
 * not one of the app's. The first pair of that name wins, as browsers send the most specific first.
 */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim() || null;
  }
  return null;
}
