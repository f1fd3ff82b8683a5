import type { DataCenterInstanceConfig } from "../config/datacenter";
import type { InstallationView } from "../core/installations";
import type { Services } from "../core/services";
import { DC_TOKEN_SECRET } from "./credentials";

/** The installation key of a Data Center instance (`installations.client_key`, unique with `host`). */
export function dataCenterClientKey(instanceId: string): string {
  return `datacenter:${instanceId}`;
}

/**
 * One installation per configured Data Center instance (DC has no install lifecycle: the operator's
 * configuration is the install). Run at start-up: creates missing installations and updates the
 * base URL and the (encrypted) access token of existing ones. An instance dropped from the
 * configuration keeps its installation and data; its door routes answer 404 until it comes back.
 * Returns the installations by instance id.
 */
export async function syncDataCenterInstallations(services: Services, instances: readonly DataCenterInstanceConfig[]): Promise<Map<string, InstallationView>> {
  const out = new Map<string, InstallationView>();
  for (const inst of instances) {
    const view = await services.installations.install({
      host: "datacenter",
      clientKey: dataCenterClientKey(inst.id),
      appKey: services.config.appKey,
      credentialKind: "dc-token",
      hostScope: inst.id,
      baseUrl: inst.baseUrl,
      baseApiUrl: `${inst.baseUrl}/rest`,
      secrets: { [DC_TOKEN_SECRET]: inst.token },
    });
    out.set(inst.id, view);
  }
  return out;
}
