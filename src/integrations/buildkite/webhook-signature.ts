import { createHmac } from "node:crypto";
import { safeEqual } from "../../crypto/secrets";

/** Signed webhooks older (or further in the future) than this are refused as replays. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export type Verification = { ok: true; timestampMs: number | null } | { ok: false; reason: string };

/** `timestamp=<unix>,signature=<hex>`: split on `,`, then on the first `=`. */
export function parseSignatureHeader(header: string): { timestamp: string; signature: string } | null {
  const parts = new Map<string, string>();
  for (const piece of header.split(",")) {
    const eq = piece.indexOf("=");
    if (eq > 0) parts.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  const timestamp = parts.get("timestamp");
  const signature = parts.get("signature");
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature || !/^[0-9a-f]{64}$/i.test(signature)) return null;
  return { timestamp, signature: signature.toLowerCase() };
}

export function signBody(token: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac("sha256", token).update(`${timestamp}.`).update(rawBody).digest("hex");
}

/**
 * Authenticates a Buildkite webhook: `X-Buildkite-Signature` (HMAC-SHA256 of "<timestamp>.<raw body>"
 * with the webhook token, timestamp within 5 minutes) or the plain `X-Buildkite-Token`. Constant-time.
 */
export function verifyBuildkiteWebhook(
  headers: { signature?: string; token?: string },
  rawBody: Buffer,
  webhookToken: string,
  now = Date.now(),
): Verification {
  if (headers.signature !== undefined) {
    const parsed = parseSignatureHeader(headers.signature);
    if (!parsed) return { ok: false, reason: "malformed X-Buildkite-Signature" };
    const expected = signBody(webhookToken, parsed.timestamp, rawBody);
    if (!safeEqual(expected, parsed.signature)) return { ok: false, reason: "invalid signature" };
    const timestampMs = Number(parsed.timestamp) * 1000;
    if (Math.abs(now - timestampMs) > SIGNATURE_TOLERANCE_MS) return { ok: false, reason: "stale signature timestamp" };
    return { ok: true, timestampMs };
  }
  if (headers.token !== undefined) {
    return safeEqual(headers.token, webhookToken) ? { ok: true, timestampMs: null } : { ok: false, reason: "invalid token" };
  }
  return { ok: false, reason: "missing X-Buildkite-Signature or X-Buildkite-Token" };
}
