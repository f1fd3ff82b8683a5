import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { HttpClient } from "../http/client";
import { FitClaimsSchema, type FitClaims } from "./fit-claims";

export const FIT_ISSUER = "forge/invocation-token";

/** Why a FIT was refused: `unauthorized` → 401 (Forge reserves 401 for this), `unavailable` → 503 (our keys fetch failed). */
export class FitError extends Error {
  constructor(
    readonly kind: "unauthorized" | "unavailable",
    message: string,
  ) {
    super(message);
    this.name = "FitError";
  }
}

export interface FitVerifierOptions {
  appId: string;
  jwksUrl: string;
  http: HttpClient;
  /** Seconds of clock skew accepted on exp/nbf/iat (FITs live ~25 s). */
  clockToleranceS?: number;
}

/**
 * Verifies Forge Invocation Tokens: RS256 only, signed by a key of the configured JWKS (fetched
 * through the app's HTTP client, cached by jose, refetched for an unknown `kid`), issuer
 * `forge/invocation-token`, audience = this app's id, within `exp`/`nbf`.
 */
export class FitVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly opts: FitVerifierOptions) {
    this.keys = createRemoteJWKSet(new URL(opts.jwksUrl), {
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
      [customFetch]: async (url: string) => {
        const res = await opts.http.send({ target: "forge-jwks", method: "GET", url, headers: { accept: "application/json" } });
        return new Response(new Uint8Array(res.body), { status: res.status, headers: { "content-type": "application/json" } });
      },
    });
  }

  async verify(token: string): Promise<FitClaims> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ["RS256"],
        issuer: FIT_ISSUER,
        audience: this.opts.appId,
        requiredClaims: ["exp", "iat"],
        clockTolerance: this.opts.clockToleranceS ?? 5,
      }));
    } catch (err) {
      throw toFitError(err);
    }
    const parsed = FitClaimsSchema.safeParse(payload);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new FitError("unauthorized", `FIT claims invalid: ${i?.path.join(".")} ${i?.message ?? ""}`.trim());
    }
    if (parsed.data.app.id !== this.opts.appId) throw new FitError("unauthorized", "FIT is for another app");
    return parsed.data;
  }
}

function toFitError(err: unknown): FitError {
  if (err instanceof errors.JWTExpired) return new FitError("unauthorized", "FIT expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "aud") return new FitError("unauthorized", "FIT audience is not this app");
    if (err.claim === "iss") return new FitError("unauthorized", "FIT issuer is not Forge");
    return new FitError("unauthorized", `FIT claim ${err.claim} invalid`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new FitError("unauthorized", "FIT algorithm not allowed");
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWSSignatureVerificationFailed) {
    return new FitError("unauthorized", "FIT signature invalid");
  }
  if (err instanceof errors.JWKSInvalid || err instanceof errors.JWKSTimeout) return new FitError("unavailable", "Forge keys unavailable");
  if (err instanceof errors.JOSEError) return new FitError("unauthorized", "FIT malformed");
  // The JWKS fetch failed in the HTTP client (network, 5xx): not the caller's fault.
  return new FitError("unavailable", "Forge keys unavailable");
}
