import { eventSource } from "./source";
import type { IntegrationPageContext } from "../../settings/registry";
import type { EventBridgeOutSettings } from "./settings";
import { deliverPrepared } from "./publisher";
import { prepareEntry } from "./entries";

export const TEST_DETAIL_TYPE = "relay:test";

/**
 * "Send test event": one clearly marked event (DetailType `relay:test`, `detail.test: true`) to the
 * configured bus, with the settings as they are saved (even while the switch is off), and EventBridge's
 * answer shown to the admin.
 */
export async function sendTestEvent(ctx: IntegrationPageContext<EventBridgeOutSettings>): Promise<{ ok: boolean; message: string; detail?: unknown }> {
  const { services, installation, repository, settings } = ctx;
  if (!settings.eventBus || !settings.roleArn) return { ok: false, message: "Set the event bus and the IAM role first." };
  const entry = prepareEntry(
    {
      detailType: TEST_DETAIL_TYPE,
      detail: {
        test: true,
        message: "Test event from Bitbucket Relay: nothing happened in the repository.",
        repository: { uuid: repository.uuid, full_name: repository.fullName },
        // Cloud: the workspace, as always; a host without workspaces (Data Center): its instance.
        ...(installation.workspaceUuid
          ? { workspace: { uuid: installation.workspaceUuid, slug: installation.workspaceSlug } }
          : { instance: { id: installation.hostScope, url: installation.baseUrl } }),
        requestedBy: ctx.actor,
        sentAt: new Date().toISOString(),
      },
    },
    eventSource(services.config.appKey, installation),
    settings.eventBus,
  );
  try {
    const res = await deliverPrepared(services, installation, repository.uuid, settings, [entry], 0);
    return { ok: true, message: `EventBridge accepted the test event (EventId ${res.eventIds?.[0] ?? "?"}).`, detail: { eventIds: res.eventIds } };
  } catch (err) {
    return { ok: false, message: `EventBridge did not accept the test event: ${err instanceof Error ? err.message : String(err)}` };
  }
}
