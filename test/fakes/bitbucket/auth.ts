import * as jwt from "atlassian-jwt";
import { randomToken } from "./ids-and-timestamps";
import type { FakeState, Identity, InstallationRecord } from "./state";
import type { BearerTokenOptions } from "./types";

/**
 * How Bitbucket Cloud authenticates a Connect app (reference/bitbucket/auth.md):
 * - `Authorization: JWT <token>` (scheme case-sensitive): HS256 with the installation's sharedSecret,
 *   `sub` = clientKey, `iss` = app key, `iat`, `exp` (expired -> 401), `qsh` over METHOD&path&query of the
 *   request exactly as received (atlassian-jwt's createQueryStringHash(fromMethodAndUrl(...))).
 * - `Authorization: Bearer <access token>` from the JWT grant (or registered with addBearerToken).
 * - Basic (app passwords, removed 2026-07-28) is always refused.
 */

export type AuthOutcome = { ok: true; identity: Identity } | { ok: false; identity: Identity; message: string };

const ANONYMOUS: Identity = { kind: "none", clientKey: null, workspace: null };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export class Authenticator {
  constructor(
    private readonly state: FakeState,
    private readonly tokenTtlSeconds: number,
  ) {}

  /** @param pathAndQuery the request target as received, e.g. `/2.0/repositories/ws/slug?x=1` */
  authenticate(method: string, pathAndQuery: string, authorization: string | undefined, now = Date.now()): AuthOutcome {
    if (!authorization) return { ok: true, identity: ANONYMOUS };
    const [scheme, ...rest] = authorization.trim().split(/\s+/);
    const credential = rest.join(" ");
    if (scheme === "JWT") return this.verifyJwt(credential, method, pathAndQuery, now);
    if (scheme.toLowerCase() === "bearer") return this.verifyBearer(credential, now);
    if (scheme.toLowerCase() === "basic") {
      return { ok: false, identity: ANONYMOUS, message: "Basic authentication is not accepted: app passwords were removed on 2026-07-28" };
    }
    return { ok: false, identity: ANONYMOUS, message: `Unsupported authorization scheme: ${scheme}` };
  }

  private verifyJwt(token: string, method: string, pathAndQuery: string, now: number): AuthOutcome {
    const fail = (message: string): AuthOutcome => ({ ok: false, identity: { kind: "jwt", clientKey: null, workspace: null }, message });
    let claims: unknown;
    try {
      claims = jwt.decodeSymmetric(token, "unverified", jwt.SymmetricAlgorithm.HS256, true);
    } catch (err) {
      return fail(`Invalid JWT: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!isObj(claims)) return fail("Invalid JWT: claims are not an object");
    if (typeof claims.sub !== "string") return fail("Invalid JWT: no sub claim (the installation's clientKey)");
    const installation = this.state.installations.get(claims.sub);
    if (!installation) return fail(`Invalid JWT: unknown clientKey ${claims.sub}`);
    if (claims.iss !== installation.appKey) return fail("Invalid JWT: iss is not the app key of this installation");
    try {
      jwt.decodeSymmetric(token, installation.sharedSecret, jwt.SymmetricAlgorithm.HS256);
    } catch {
      return fail("Invalid JWT: signature verification failed");
    }
    if (typeof claims.iat !== "number") return fail("Invalid JWT: no iat claim");
    if (typeof claims.exp !== "number") return fail("Invalid JWT: no exp claim");
    if (claims.exp <= Math.floor(now / 1000)) return fail("Invalid JWT: token expired");
    if (typeof claims.qsh !== "string") return fail("Invalid JWT: no qsh claim");
    const expected = jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, pathAndQuery));
    if (claims.qsh !== expected) return fail("Invalid JWT: qsh does not match the request");
    return { ok: true, identity: { kind: "jwt", clientKey: installation.clientKey, workspace: installation.workspace } };
  }

  private verifyBearer(token: string, now: number): AuthOutcome {
    const record = this.state.tokens.get(token);
    const failed: Identity = { kind: "bearer", clientKey: null, workspace: null };
    if (!record) return { ok: false, identity: failed, message: "Invalid access token" };
    if (record.expiresAt !== null && record.expiresAt <= now) {
      return { ok: false, identity: failed, message: "Access token expired. Use your refresh token to obtain a new access token." };
    }
    return { ok: true, identity: { kind: "bearer", clientKey: record.clientKey, workspace: record.workspace } };
  }

  /** The JWT grant (`grant_type=urn:bitbucket:oauth2:jwt`): a 1-hour access token for the installation. */
  issueAccessToken(installation: InstallationRecord, now = Date.now()): Record<string, unknown> {
    const accessToken = randomToken();
    this.state.tokens.set(accessToken, {
      clientKey: installation.clientKey,
      workspace: installation.workspace,
      expiresAt: now + this.tokenTtlSeconds * 1000,
      scopes: installation.scopes,
    });
    return {
      access_token: accessToken,
      scopes: installation.scopes,
      expires_in: this.tokenTtlSeconds,
      refresh_token: randomToken(18),
      token_type: "bearer",
    };
  }

  addBearerToken(token: string, clientKeyOrLabel: string, opts: BearerTokenOptions = {}, now = Date.now()): void {
    const installation = this.state.installations.get(clientKeyOrLabel);
    let workspace = installation?.workspace ?? null;
    if (opts.workspace !== undefined) {
      const ws = this.state.findWorkspace(opts.workspace);
      if (!ws) throw new Error(`FakeBitbucket: unknown workspace ${String(opts.workspace)}`);
      workspace = ws;
    }
    this.state.tokens.set(token, {
      clientKey: clientKeyOrLabel,
      workspace,
      expiresAt: opts.expiresInSeconds === undefined ? null : now + opts.expiresInSeconds * 1000,
      scopes: installation?.scopes ?? "",
    });
  }

  /** Makes every access token expired (to exercise a client's re-grant after 401). */
  expireAll(now = Date.now()): void {
    for (const t of this.state.tokens.values()) t.expiresAt = now - 1;
  }
}
