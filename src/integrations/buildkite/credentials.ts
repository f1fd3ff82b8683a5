import { randomToken, safeEqual } from "../../crypto/secrets";
import type { Services } from "../../core/services";

/**
 * The installation-level secrets of the Buildkite integration (stored encrypted with the
 * installation): the API key EventBridge's Connection sends, and the Buildkite webhook token.
 * Generated on first use. Rotating the webhook token replaces it at once; rotating the API key keeps
 * the previous key valid for API_KEY_GRACE_MS, because EventBridge does not retry a 401 and events
 * keep arriving with the old key until the Connection is updated (by "Connect EventBridge" or a
 * stack update).
 */
export const API_KEY_SECRET = "buildkiteApiKey";
/** The previous API key and the end of its grace period: JSON `{ key, until }` (epoch ms). */
export const API_KEY_PREVIOUS_SECRET = "buildkiteApiKeyPrevious";
/** How long the previous API key is still accepted after a rotation (24 h, EventBridge's own retry window). */
export const API_KEY_GRACE_MS = 24 * 60 * 60 * 1000;
export const WEBHOOK_TOKEN_SECRET = "buildkiteWebhookToken";
/** The header the EventBridge Connection (API_KEY authorization) carries the key in. */
export const API_KEY_HEADER = "X-Relay-Api-Key";

const generate = () => `bkr_${randomToken(32)}`;

export function ensureApiKey(services: Services, installationId: string): Promise<string> {
  return services.installations.ensureSecret(installationId, API_KEY_SECRET, generate);
}

export function ensureWebhookToken(services: Services, installationId: string): Promise<string> {
  return services.installations.ensureSecret(installationId, WEBHOOK_TOKEN_SECRET, generate);
}

/**
 * A new API key; the current one stays valid until `now + API_KEY_GRACE_MS` (replacing any older
 * previous key). The previous key is stored before the new one, so that an interrupted rotation
 * never leaves a key that stops working early. Returns the new key and the grace end (null when
 * there was no key before).
 */
export async function rotateApiKey(services: Services, installationId: string, now = Date.now()): Promise<{ key: string; previousValidUntil: number | null }> {
  const current = await services.installations.secret(installationId, API_KEY_SECRET);
  const until = now + API_KEY_GRACE_MS;
  if (current) await services.installations.setSecret(installationId, API_KEY_PREVIOUS_SECRET, JSON.stringify({ key: current, until }));
  const key = generate();
  await services.installations.setSecret(installationId, API_KEY_SECRET, key);
  return { key, previousValidUntil: current ? until : null };
}

/** The previous API key while its grace period lasts (epoch ms `until`), else null. */
export async function previousApiKey(services: Services, installationId: string, now = Date.now()): Promise<{ key: string; until: number } | null> {
  const raw = await services.installations.secret(installationId, API_KEY_PREVIOUS_SECRET);
  if (!raw) return null;
  try {
    const p = JSON.parse(raw) as { key?: unknown; until?: unknown };
    return typeof p.key === "string" && typeof p.until === "number" && p.until > now ? { key: p.key, until: p.until } : null;
  } catch {
    return null;
  }
}

/** Ends the previous API key's grace period at once (a leaked key). */
export async function endApiKeyGrace(services: Services, installationId: string): Promise<void> {
  await services.installations.setSecret(installationId, API_KEY_PREVIOUS_SECRET, null);
}

/**
 * Which API key a request presented: the current one, the previous one within its grace period, or
 * neither (null). Both are compared in constant time, whichever matches.
 */
export async function matchApiKey(services: Services, installationId: string, presented: string | undefined, now = Date.now()): Promise<"current" | "previous" | null> {
  if (!presented) return null;
  const current = (await services.installations.secret(installationId, API_KEY_SECRET)) ?? "";
  const previous = (await previousApiKey(services, installationId, now))?.key ?? "";
  const isCurrent = safeEqual(presented, current || "\u0000no-key") && Boolean(current);
  const isPrevious = safeEqual(presented, previous || "\u0000no-key") && Boolean(previous);
  return isCurrent ? "current" : isPrevious ? "previous" : null;
}

export async function rotateSecret(services: Services, installationId: string, name: typeof WEBHOOK_TOKEN_SECRET): Promise<string> {
  const value = generate();
  await services.installations.setSecret(installationId, name, value);
  return value;
}

export function eventBridgeEndpoint(services: Services, installationId: string): string {
  return `${services.config.baseUrl}/inbound/buildkite/eventbridge/${installationId}`;
}

export function webhookEndpoint(services: Services, installationId: string): string {
  return `${services.config.baseUrl}/inbound/buildkite/webhook/${installationId}`;
}
