import * as jwt from "atlassian-jwt";
import type { TestTenant } from "../helpers/harness";

/** Ways a Connect JWT can be wrong; each must be refused with 401. */
export type BadToken = "forged" | "expired" | "wrong-qsh" | "wrong-audience" | "unknown-issuer" | "alg-none" | "no-expiry" | "garbage";

export const BAD_TOKENS: BadToken[] = ["forged", "expired", "wrong-qsh", "wrong-audience", "unknown-issuer", "alg-none", "no-expiry", "garbage"];

function qshOf(method: string, pathAndQuery: string): string {
  return jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, pathAndQuery));
}

/**
 * A token for `method pathAndQuery` that is wrong in one way, as tenant `t` (or an attacker) might
 * present it: signed with the wrong secret, expired, bound to another request, addressed to another
 * tenant (aud = the other tenant's clientKey, signed with this tenant's secret), from an unknown
 * issuer, unsigned (alg none), without expiry, or not a JWT at all.
 */
export function badToken(kind: BadToken, t: TestTenant, other: TestTenant, method: string, pathAndQuery: string, sub?: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { iss: t.clientKey, iat: now - 5, exp: now + 180, qsh: qshOf(method, pathAndQuery), ...(sub ? { sub } : {}) };
  const sign = (c: Record<string, unknown>, secret = t.sharedSecret) => jwt.encodeSymmetric(c, secret, jwt.SymmetricAlgorithm.HS256);
  switch (kind) {
    case "forged":
      return sign(claims, "not-the-shared-secret-of-anyone-at-all");
    case "expired":
      return sign({ ...claims, iat: now - 600, exp: now - 60 });
    case "wrong-qsh":
      return sign({ ...claims, qsh: qshOf("POST", "/connect/some/other/path") });
    case "wrong-audience":
      return sign({ ...claims, aud: [other.clientKey] });
    case "unknown-issuer":
      return sign({ ...claims, iss: "ari:cloud:bitbucket::app/nobody-installed-this" });
    case "alg-none": {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      return `${enc({ alg: "none", typ: "JWT" })}.${enc(claims)}.`;
    }
    case "no-expiry": {
      const { exp: _exp, ...rest } = claims;
      return sign(rest);
    }
    case "garbage":
      return "not.a.jwt";
  }
}
