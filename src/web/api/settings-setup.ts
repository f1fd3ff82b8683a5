import { Op } from "sequelize";
import type { Services } from "../../core/services";
import type { InstallationView } from "../../core/installations";
import { Delivery, SettingsChange } from "../../models";
import type { IntegrationDefinition, IntegrationId, LastDelivery, SetupStep } from "../../settings/registry";
import { activityPage, type ActivityEntry } from "./activity-query";
import type { RepoAccess } from "../permissions";

/** A card's setup checklist as the page receives it: the steps, whether all are done, and the newest delivery. */
export interface SetupView {
  steps: SetupStep[];
  complete: boolean;
  lastDelivery: LastDelivery | null;
}

/** How an activity-log entry's jobs ended, worst first: dead, then waiting, then all skipped, else ok. */
export function outcomeOf(entry: Pick<ActivityEntry, "jobs">): Pick<LastDelivery, "outcome" | "reason"> {
  const dead = entry.jobs.find((j) => j.status === "dead");
  if (dead) return { outcome: "failed", reason: dead.lastError };
  if (entry.jobs.some((j) => j.status === "queued" || j.status === "running" || j.status === "retrying")) return { outcome: "pending", reason: null };
  if (entry.jobs.length && entry.jobs.every((j) => j.status === "ignored")) return { outcome: "ignored", reason: entry.jobs[0]!.reason };
  return { outcome: "ok", reason: null };
}

/** The newest activity-log entry of one integration in one repository (the log's own query, filtered), or null. */
export async function lastDeliveryOf(services: Services, installationId: string, repositoryUuid: string, integration: string): Promise<LastDelivery | null> {
  const page = await activityPage(services, { installationId, repositoryUuid, integration, page: 1, pageLen: 1 });
  const entry = page.items[0];
  if (!entry) return null;
  return { id: entry.id, source: entry.source, eventKey: entry.eventKey, at: entry.at, ...outcomeOf(entry) };
}

async function lastInboundAt(installationId: string, sources: readonly string[] | undefined): Promise<number | null> {
  if (!sources?.length) return null;
  const row = await Delivery.findOne({
    where: { installationId, source: { [Op.in]: [...sources] } },
    order: [["receivedAt", "DESC"]],
    attributes: ["receivedAt"],
  });
  return row ? Number(row.receivedAt) : null;
}

/**
 * The setup checklist of one integration in one repository, computed from what the app knows: the
 * saved settings (and when they were saved), the newest delivery of the integration in the
 * repository's activity log and its outcome, and the newest event at the integration's own inbound
 * door. Null for an integration without a checklist.
 */
export async function setupOf(services: Services, installation: InstallationView, access: RepoAccess, def: IntegrationDefinition): Promise<SetupView | null> {
  if (!def.setup) return null;
  const repositoryUuid = access.repository.uuid;
  const [settings, saved, lastDelivery, inboundAt] = await Promise.all([
    services.settings.get(installation.id, repositoryUuid, def.id as IntegrationId) as Promise<unknown> as Promise<{ enabled: boolean }>,
    SettingsChange.findOne({
      where: { installationId: installation.id, repositoryUuid, integration: def.id },
      order: [["at", "DESC"]],
      attributes: ["at"],
    }),
    lastDeliveryOf(services, installation.id, repositoryUuid, def.id),
    lastInboundAt(installation.id, def.inboundSources),
  ]);
  const steps = def.setup({ settings, savedAt: saved ? Number(saved.at) : null, lastDelivery, lastInboundAt: inboundAt });
  return { steps, complete: steps.every((s) => s.done), lastDelivery };
}
