import { BUILDKITE_SIGNATURE, checkHmac, hmacHex } from "../../crypto/hmac";
import { safeEqual } from "../../crypto/secrets";

/** Signed webhooks older (or further in the future) than this are refused as replays. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export type Verification = { ok: true; timestampMs: number | null } | { ok: false; reason: string };

/** `timestamp=<unix>,signature=<hex>`: split on `,`, then on the first `=` (the shared `BUILDKITE_SIGNATURE` scheme). */
export function parseSignatureHeader(header: string): { timestamp: string; signature: string } | null {
  const parsed = BUILDKITE_SIGNATURE.parse(header);
  return parsed ? { timestamp: String(parsed.timestamp), signature: parsed.digest.toString("hex") } : null;
}

export function signBody(token: string, timestamp: string, rawBody: Buffer | string): string {
  return hmacHex(token, rawBody, `${timestamp}.`);
}

/**
 * Authenticates a Buildkite webhook: `X-Buildkite-Signature` (HMAC-SHA256 of "<timestamp>.<raw body>"
 * with the webhook token, timestamp within 5 minutes; checked by the shared `checkHmac`) or the plain
 * `X-Buildkite-Token`. `webhookTokens`: the token, or several during a rotation. Constant-time.
 */
export function verifyBuildkiteWebhook(
  headers: { signature?: string; token?: string },
  rawBody: Buffer,
  webhookTokens: string | readonly string[],
  now = Date.now(),
): Verification {
  const tokens = typeof webhookTokens === "string" ? [webhookTokens] : webhookTokens;
  if (headers.signature !== undefined) {
    const verdict = checkHmac(rawBody, headers.signature, tokens, BUILDKITE_SIGNATURE);
    if (!verdict.ok) {
      const malformed = verdict.reason === "malformed signature" || verdict.reason === "missing signature";
      return { ok: false, reason: malformed ? "malformed X-Buildkite-Signature" : "invalid signature" };
    }
    const timestampMs = (verdict.timestamp ?? 0) * 1000;
    if (Math.abs(now - timestampMs) > SIGNATURE_TOLERANCE_MS) return { ok: false, reason: "stale signature timestamp" };
    return { ok: true, timestampMs };
  }
  if (headers.token !== undefined) {
    let ok = false;
    for (const t of tokens) ok = safeEqual(headers.token, t) || ok;
    return ok ? { ok: true, timestampMs: null } : { ok: false, reason: "invalid token" };
  }
  return { ok: false, reason: "missing X-Buildkite-Signature or X-Buildkite-Token" };
}
