import * as jwt from "atlassian-jwt";
import type { Request } from "express";
import type { Services } from "../core/services";
import type { InstallationView } from "../core/installations";
import type { Principal } from "../web/principal";

/**
 * The one purpose a page API token is good for. Bitbucket's own tokens (iframe page tokens, webhook
 * tokens) and ACE's session tokens never carry it, so none of them is taken as an API token.
 */
export const PAGE_API_USE = "relay:page-api";
/** Lifetime of a page API token, seconds; the API renews it (`X-acpt`) on every answer. */
export const PAGE_API_TOKEN_SECONDS = 15 * 60;
/** Clock skew tolerated on `iat`, seconds. */
const LEEWAY_SECONDS = 30;

/** The claims of a page API token: HS256 with the installation's shared secret. */
interface PageApiClaims {
  iss: string;
  aud: [string];
  sub?: string;
  iat: number;
  exp: number;
  use: typeof PAGE_API_USE;
  /**
   * The braced repository UUID Bitbucket rendered the page for (its qsh covered `?repoUuid=`), or
   * null for a workspace-level page (workspace defaults): bound to no repository.
   */
  repo: string | null;
}

export interface PageBinding {
  installation: InstallationView;
  /** The viewer's Atlassian account id (the page token's `sub`), when Bitbucket named one. */
  accountId: string | null;
  /** null: a workspace-level page, bound to no repository. */
  repositoryUuid: string | null;
}

/**
 * Issues the token a page's script uses for `/connect/api`: bound to the installation (aud), the
 * viewer (sub) and the repository the page was rendered for, signed with the installation's shared
 * secret. Only issued after the page load itself was verified (qsh included).
 */
export function issuePageApiToken(binding: PageBinding, sharedSecret: string, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const claims: PageApiClaims = {
    iss: binding.installation.appKey,
    aud: [binding.installation.clientKey],
    iat,
    exp: iat + PAGE_API_TOKEN_SECONDS,
    use: PAGE_API_USE,
    repo: binding.repositoryUuid,
  };
  if (binding.accountId) claims.sub = binding.accountId;
  return jwt.encodeSymmetric(claims as unknown as Record<string, unknown>, sharedSecret, jwt.SymmetricAlgorithm.HS256);
}

export class ApiTokenError extends Error {}

/** A verified API credential: who it proves, and (for page API tokens) its renewal for `X-acpt`. */
export interface VerifiedApiToken {
  principal: Principal;
  renewed: string | null;
}

function decodeUnverified(token: string): { header: { alg?: unknown }; claims: Record<string, unknown> } {
  const [head, body, sig] = token.split(".");
  if (!head || !body || sig === undefined) throw new ApiTokenError("malformed JWT");
  try {
    const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as { alg?: unknown };
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as unknown;
    if (!claims || typeof claims !== "object" || Array.isArray(claims)) throw new Error("claims");
    return { header, claims: claims as Record<string, unknown> };
  } catch {
    throw new ApiTokenError("malformed JWT");
  }
}

/** `Authorization: JWT <token>` only: API tokens never travel in a URL. */
export function apiTokenOf(req: Request): string | undefined {
  const header = req.get("authorization");
  return header?.startsWith("JWT ") ? header.slice(4).trim() : undefined;
}

/**
 * Verifies the credential of a `/connect/api` request and returns the principal it proves.
 * Accepted: (a) a page API token this app issued (`use` = {@link PAGE_API_USE}, aud = a Connect
 * installation, signature with its shared secret, unexpired), bound to user and repository; or
 * (b) a token Bitbucket signed for exactly this request (iss = clientKey, `qsh` = the hash of this
 * method, path and query, per Atlassian's "Understanding JWT for Connect apps"), which binds no
 * repository, so the API refuses it on every repository route. A page API token comes back renewed
 * with the same binding (the page's script swaps it in from `X-acpt`). Anything else throws ApiTokenError
 * (answered 401): other algorithms, no expiry, expired, forged, unknown installation, another
 * request's qsh, ACE session tokens and Bitbucket page tokens replayed against the API.
 */
export async function verifyPageApiToken(services: Services, req: Request, token: string): Promise<VerifiedApiToken> {
  const { header, claims } = decodeUnverified(token);
  if (header.alg !== "HS256") throw new ApiTokenError("unsupported JWT algorithm");
  if (typeof claims.exp !== "number") throw new ApiTokenError("JWT has no expiry");
  const appIssued = claims.use === PAGE_API_USE;
  const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  const clientKey = appIssued ? aud : claims.iss;
  if (typeof clientKey !== "string" || !clientKey) throw new ApiTokenError("JWT names no installation");
  if (aud !== undefined && aud !== clientKey) throw new ApiTokenError("JWT is addressed to another installation");
  const installation = await services.installations.findByClientKey("connect", clientKey);
  if (!installation) throw new ApiTokenError("unknown installation");
  const { sharedSecret } = await services.installations.secrets(installation.id);
  if (!sharedSecret) throw new ApiTokenError("installation has no shared secret");
  try {
    jwt.decodeSymmetric(token, sharedSecret, jwt.SymmetricAlgorithm.HS256, false);
  } catch {
    throw new ApiTokenError("JWT signature does not verify");
  }
  const now = Math.floor(Date.now() / 1000);
  if (now >= claims.exp) throw new ApiTokenError("JWT has expired");
  if (typeof claims.iat === "number" && claims.iat > now + LEEWAY_SECONDS) throw new ApiTokenError("JWT issued in the future");
  const accountId = typeof claims.sub === "string" && claims.sub ? claims.sub : null;
  if (appIssued) {
    if (claims.iss !== installation.appKey) throw new ApiTokenError("JWT was not issued by this app");
    if (claims.repo !== null && typeof claims.repo !== "string") throw new ApiTokenError("JWT is bound to no repository");
    const binding = { installation, accountId, repositoryUuid: claims.repo };
    return { principal: { ...binding, host: "connect" }, renewed: issuePageApiToken(binding, sharedSecret) };
  }
  const expected = jwt.createQueryStringHash(jwt.fromExpressRequest(req), false, services.config.baseUrl);
  if (claims.qsh !== expected) throw new ApiTokenError("JWT was issued for another request");
  return { principal: { installation, accountId, host: "connect", repositoryUuid: null }, renewed: null };
}
