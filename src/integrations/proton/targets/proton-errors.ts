import { explainAwsError } from "../../../aws/errors";

/**
 * How a Proton answer ends a registration. AWS Proton reached end of support on 2026-10-07: an
 * ended service answers access denied (or its endpoint is gone), which is no reason to retry.
 */
export type ProtonFailure = { kind: "unavailable"; reason: string } | { kind: "transient"; reason: string } | { kind: "rejected"; reason: string };

const UNAVAILABLE = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
  "ExpiredTokenException",
  "SubscriptionRequiredException",
  "OptInRequired",
  "NotAuthorized",
  "ServiceUnavailableException",
  "EndOfSupportException",
]);
const NETWORK = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "EPIPE"]);

export function classifyProtonError(err: unknown): ProtonFailure {
  const e = err as { name?: string; message?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? "Error";
  const status = e?.$metadata?.httpStatusCode;
  const text = `${name}: ${(e?.message ?? "").slice(0, 300)}`;
  if (UNAVAILABLE.has(name) || status === 403 || status === 410 || status === 401) return { kind: "unavailable", reason: text };
  if (e?.code && NETWORK.has(e.code)) return { kind: "unavailable", reason: `Proton endpoint unreachable (${e.code})` };
  if (!e?.$metadata) return { kind: "unavailable", reason: `Proton endpoint unreachable (${text})` };
  if (name === "ThrottlingException" || e.$fault === "server" || (status !== undefined && status >= 500) || status === 429) {
    return { kind: "transient", reason: text };
  }
  return { kind: "rejected", reason: explainAwsError(err, { service: "proton" }).reason };
}
