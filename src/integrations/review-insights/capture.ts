import type { PullRequestEventPayload } from "../../bitbucket/events";
import type { IngestedDelivery } from "../../pipeline/registry";
import type { Transaction } from "sequelize";
import { snapshotFromEvent } from "./snapshot";
import type { InsightsStore } from "./store";

/**
 * The ingest hook: pull request events of repositories with insights on are recorded in the
 * transaction that stores them (one lookup of which repositories are on per batch; nothing else for
 * the others). Idempotent: a redelivery (same delivery id) is not handed to hooks again, and an
 * event with a new id but the same content changes nothing (see InsightsStore.record).
 */
export async function captureEvents(store: InsightsStore, deliveries: Array<IngestedDelivery<PullRequestEventPayload>>, transaction: Transaction): Promise<void> {
  const withRepo = deliveries.filter((d) => d.repository);
  if (!withRepo.length) return;
  const on = await store.enabledAmong(
    withRepo.map((d) => ({ installationId: d.installationId, repositoryUuid: d.repository!.uuid })),
    transaction,
  );
  for (const d of withRepo) {
    const key = { installationId: d.installationId, repositoryUuid: d.repository!.uuid };
    if (!on.has(`${key.installationId}|${key.repositoryUuid}`)) continue;
    const snap = snapshotFromEvent(d.eventKey, d.payload);
    if (snap) await store.record(key, snap, transaction);
  }
}
