import * as jwt from "atlassian-jwt";

export interface InboundJwtOptions {
  clientKey: string;
  sharedSecret: string;
  /** The acting user's account id. */
  sub?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Override the qsh (to forge a wrong one). */
  qsh?: string;
  /**
   * A unique token id. Bitbucket's tokens carry none, but their iat differs from one delivery to the
   * next; tests send the same fixture many times a second, so they make each token unique this way
   * (otherwise the same token and body under a new delivery id is, rightly, a replay).
   */
  jti?: string;
  context?: Record<string, unknown>;
}

/** A JWT as Bitbucket signs its requests to the app: iss = clientKey, qsh of the request, HS256. */
export function bitbucketJwt(method: string, pathAndQuery: string, o: InboundJwtOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: o.clientKey,
    iat: now - 5,
    exp: now + (o.expiresIn ?? 180),
    qsh: o.qsh ?? jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, pathAndQuery)),
  };
  if (o.sub) claims.sub = o.sub;
  if (o.jti) claims.jti = o.jti;
  if (o.context) claims.context = o.context;
  return jwt.encodeSymmetric(claims, o.sharedSecret, jwt.SymmetricAlgorithm.HS256);
}
