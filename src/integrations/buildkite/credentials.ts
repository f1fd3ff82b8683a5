import { randomToken } from "../../crypto/secrets";
import type { Services } from "../../core/services";

/**
 * The installation-level secrets of the Buildkite integration (stored encrypted with the
 * installation): the API key EventBridge's Connection sends, and the Buildkite webhook token.
 * Generated on first use; rotating replaces them at once (the old value stops working).
 */
export const API_KEY_SECRET = "buildkiteApiKey";
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

export async function rotateSecret(services: Services, installationId: string, name: typeof API_KEY_SECRET | typeof WEBHOOK_TOKEN_SECRET): Promise<string> {
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
