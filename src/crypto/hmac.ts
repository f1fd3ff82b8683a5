import { createHmac, timingSafeEqual } from "node:crypto";

/** An HMAC-SHA256 digest is 32 bytes (64 hex characters). */
const DIGEST_BYTES = 32;
const HEX_DIGEST = /^[0-9a-f]{64}$/i;

/**
 * How a sender writes its signature header: which digest it carries, and what was signed besides the
 * raw body (a prefix such as Buildkite's `<timestamp>.`). `parse` returns null for a malformed header.
 */
export interface SignatureScheme {
  parse(header: string): { digest: Buffer; prefix: string; timestamp: number | null } | null;
}

/**
 * `sha256=<hex HMAC-SHA256 of the raw body>`: Bitbucket Data Center's `X-Hub-Signature`
 * (shared/reference/bitbucket/datacenter.md, "Webhooks (DC)") and GitHub's `X-Hub-Signature-256`.
 * Other algorithms (`sha1=`) are refused.
 */
export const HUB_SIGNATURE: SignatureScheme = {
  parse(header) {
    const m = /^sha256=([0-9a-f]+)$/i.exec(header.trim());
    if (!m || !HEX_DIGEST.test(m[1]!)) return null;
    return { digest: Buffer.from(m[1]!, "hex"), prefix: "", timestamp: null };
  },
};

/**
 * `timestamp=<unix seconds>,signature=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`: Buildkite's
 * `X-Buildkite-Signature` (shared/reference/buildkite, webhook signature scheme and test vector).
 * Split on `,`, then on the first `=`. `timestamp` is returned in seconds for the caller's replay window.
 */
export const BUILDKITE_SIGNATURE: SignatureScheme = {
  parse(header) {
    const parts = new Map<string, string>();
    for (const piece of header.split(",")) {
      const eq = piece.indexOf("=");
      if (eq > 0) parts.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
    }
    const timestamp = parts.get("timestamp");
    const signature = parts.get("signature");
    if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature || !HEX_DIGEST.test(signature)) return null;
    return { digest: Buffer.from(signature, "hex"), prefix: `${timestamp}.`, timestamp: Number(timestamp) };
  },
};

export type HmacVerdict =
  | { ok: true; /** Index in `secrets` of the secret that signed it. */ secretIndex: number; timestamp: number | null }
  | { ok: false; reason: "missing signature" | "malformed signature" | "no secret configured" | "invalid signature" };

/** HMAC-SHA256 of `prefix + rawBody` with `secret`, as hex (for senders in tests and for signing). */
export function hmacHex(secret: string, rawBody: Buffer | string, prefix = ""): string {
  return createHmac("sha256", secret).update(prefix).update(rawBody).digest("hex");
}

/**
 * Checks a signature header against every secret in `secrets` (several during a rotation: old and
 * new are both accepted until the old one is dropped). Every secret is tried, and each comparison is
 * `timingSafeEqual` on two 32-byte digests, so neither the time taken nor an exception tells which
 * byte or which secret failed. Empty secrets are skipped. Never throws on any header.
 */
export function checkHmac(
  rawBody: Buffer,
  header: string | undefined | null,
  secrets: readonly string[],
  scheme: SignatureScheme = HUB_SIGNATURE,
): HmacVerdict {
  if (header === undefined || header === null || header === "") return { ok: false, reason: "missing signature" };
  const parsed = scheme.parse(header);
  if (!parsed || parsed.digest.length !== DIGEST_BYTES) return { ok: false, reason: "malformed signature" };
  const usable = secrets.filter((s) => typeof s === "string" && s.length > 0);
  if (!usable.length) return { ok: false, reason: "no secret configured" };
  let matched = -1;
  for (let i = 0; i < usable.length; i++) {
    const expected = createHmac("sha256", usable[i]!).update(parsed.prefix).update(rawBody).digest();
    if (timingSafeEqual(expected, parsed.digest) && matched < 0) matched = secrets.indexOf(usable[i]!);
  }
  return matched < 0 ? { ok: false, reason: "invalid signature" } : { ok: true, secretIndex: matched, timestamp: parsed.timestamp };
}

/**
 * True when `header` (default form `sha256=<hex>`, see `HUB_SIGNATURE`) is an HMAC-SHA256 of
 * `rawBody` (the exact bytes received) under any of `secrets`. Missing, malformed, wrong-length or
 * wrong signatures, and an empty secret list, are all false. See `checkHmac` for the reason.
 */
export function verifyHmac(rawBody: Buffer, header: string | undefined | null, secrets: readonly string[], scheme: SignatureScheme = HUB_SIGNATURE): boolean {
  return checkHmac(rawBody, header, secrets, scheme).ok;
}
