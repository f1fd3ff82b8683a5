import { randomUUID } from "node:crypto";
import type { InstallationService } from "../core/installations";

/** The installation's ExternalId for AssumeRole: generated once, shown on the settings page. */
export function externalIdFor(installations: InstallationService, installationId: string): Promise<string> {
  return installations.ensureSecret(installationId, "awsExternalId", () => `relay-${randomUUID()}`);
}
