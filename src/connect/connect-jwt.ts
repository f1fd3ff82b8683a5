import * as jwt from "atlassian-jwt";
import type { Request } from "express";
import type { InstallationView } from "../core/installations";
import type { Services } from "../core/services";
import { connectTokenOf } from "./ace-auth";

/** A verified Connect request: the installation its JWT's issuer names, and the token (for replay detection). */
export type ConnectVerdict = { ok: true; installation: InstallationView; token: string } | { ok: false; reason: string };

/**
 * Verifies the JWT Bitbucket signs a Connect request with (its webhooks), as ACE's `authenticate()`
 * does, without ACE's middleware chain (which also mints a session token per request and reads the
 * tenant through its store on every call): `Authorization: JWT …` (or `?jwt=`), HS256 only, `iss` = a
 * Connect installation's clientKey (or `aud`, when present, as ACE reads it), signature with that
 * installation's shared secret, `exp` required
 * and in the future, `qsh` required and equal to the hash of this request's method, path and query
 * (the canonical request of the Connect JWT spec, shared/reference/bitbucket/connect; the path relative
 * to BASE_URL's path, as ACE computes it). The installation and its secrets come from the
 * InstallationService cache, which lifecycle changes clear. Returns a short reason on failure (a 401).
 */
export async function verifyConnectJwt(services: Services, req: Request): Promise<ConnectVerdict> {
  const token = connectTokenOf(req);
  if (!token) return { ok: false, reason: "missing JWT" };
  let unverified: { iss?: unknown; aud?: unknown };
  try {
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { alg?: string };
    if (header.alg !== "HS256") return { ok: false, reason: "unsupported JWT algorithm" };
    unverified = jwt.decodeSymmetric(token, "", jwt.SymmetricAlgorithm.HS256, true) as { iss?: unknown; aud?: unknown };
  } catch {
    return { ok: false, reason: "malformed JWT" };
  }
  if (typeof unverified.iss !== "string" || !unverified.iss) return { ok: false, reason: "authentication failed: JWT has no issuer" };
  // As ACE: an audience, when present, names the tenant whose secret must have signed the token.
  const aud = Array.isArray(unverified.aud) ? unverified.aud[0] : unverified.aud;
  const clientKey = typeof aud === "string" && aud ? aud : unverified.iss;
  const installation = await services.installations.findByClientKey("connect", clientKey);
  if (!installation) return { ok: false, reason: "unknown client" };
  const secret = await services.installations.secret(installation.id, "sharedSecret");
  if (!secret) return { ok: false, reason: "unknown client" };
  let claims: { exp?: unknown; qsh?: unknown };
  try {
    claims = jwt.decodeSymmetric(token, secret, jwt.SymmetricAlgorithm.HS256) as { exp?: unknown; qsh?: unknown };
  } catch {
    return { ok: false, reason: "authentication failed: invalid JWT signature" };
  }
  if (typeof claims.exp !== "number") return { ok: false, reason: "JWT has no expiry" };
  if (Math.floor(Date.now() / 1000) >= claims.exp) return { ok: false, reason: "authentication failed: JWT expired" };
  if (typeof claims.qsh !== "string") return { ok: false, reason: "authentication failed: JWT has no qsh" };
  const expected = jwt.createQueryStringHash(jwt.fromExpressRequest(req as unknown as Parameters<typeof jwt.fromExpressRequest>[0]), false, services.config.baseUrl);
  if (claims.qsh !== expected) return { ok: false, reason: "authentication failed: query hash does not match" };
  return { ok: true, installation, token };
}
