import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../db/database";

/**
 * Which repositories a delivery concerns, for the activity log (table `delivery_repositories`,
 * migration 0601). A delivery is listed in a repository's log when its payload names the repository,
 * when one of its jobs carries the repository (`jobs.repository_uuid`), or when a handler linked it
 * here (a repository it was routed to without a job of its own, e.g. a build that repository's
 * filters skipped).
 */
export async function linkDelivery(
  db: Database,
  link: { installationId: string; deliveryId: string; repositoryUuid: string },
  transaction?: Transaction,
): Promise<void> {
  await db.sequelize.query(
    `INSERT INTO delivery_repositories (delivery_id, repository_uuid, installation_id, at) VALUES (:deliveryId, :repositoryUuid, :installationId, :at)
     ON CONFLICT (delivery_id, repository_uuid) DO NOTHING`,
    { replacements: { ...link, at: Date.now() }, type: QueryTypes.INSERT, transaction },
  );
}

/** Removes the links of deliveries about to be deleted (SQLite does not enforce the cascade). */
export async function unlinkDeliveries(db: Database, deliveryIds: string[], transaction?: Transaction): Promise<void> {
  if (!deliveryIds.length) return;
  await db.sequelize.query(`DELETE FROM delivery_repositories WHERE delivery_id IN (:deliveryIds)`, {
    replacements: { deliveryIds },
    type: QueryTypes.DELETE,
    transaction,
  });
}

/** Uninstall: the tenant's links go with its deliveries. */
export async function purgeDeliveryLinks(db: Database, installationId: string): Promise<void> {
  await db.sequelize.query(`DELETE FROM delivery_repositories WHERE installation_id = :installationId`, {
    replacements: { installationId },
    type: QueryTypes.DELETE,
  });
}
