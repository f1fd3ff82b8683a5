import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { awsClientConfig } from "../../aws/clients";
import { externalIdFor } from "../../aws/external-id";
import type { Services } from "../../core/services";
import type { InstallationView } from "../../core/installations";
import type { EventBridgeOutSettings } from "./settings";

/**
 * The EventBridge client for a repository's settings: the customer's role assumed with this
 * installation's ExternalId, in the bus's region. The endpoint comes from AWS_ENDPOINT_URL_EVENTBRIDGE
 * when set (tests, VPC endpoints).
 */
export async function eventBridgeClientFor(
  services: Services,
  installation: InstallationView,
  settings: EventBridgeOutSettings,
): Promise<EventBridgeClient> {
  const externalId = await externalIdFor(services.installations, installation.id);
  return new EventBridgeClient(
    awsClientConfig({
      region: settings.region,
      roleArn: settings.roleArn || null,
      externalId,
      sessionName: `relay-eventbridge-${installation.id.slice(0, 8)}`,
    }),
  );
}
