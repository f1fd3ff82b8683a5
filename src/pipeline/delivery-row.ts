import { QueryTypes } from "sequelize";
import type { Services } from "../core/services";
import type { DeliverySource } from "../models/delivery";

/** The columns of a delivery a job runs with; `payload` is the stored JSON text, `receivedAt` epoch ms. */
export interface DeliveryRow {
  id: string;
  source: DeliverySource;
  eventKey: string;
  repositoryUuid: string | null;
  repositoryFullName: string | null;
  /** Null when not asked for (a job with a payload of its own). */
  payload: string | null;
  receivedAt: number;
}

/**
 * One delivery by id, read with a raw statement (no model instance: the worker reads one per job,
 * and the ORM's building of an instance around a 20 KB payload cost more than the read). Null when
 * it no longer exists (retention). The payload text is read only `withPayload` (a derived job carries
 * its own: its delivery's 20 KB body would be read for nothing).
 */
export async function deliveryOf(services: Services, id: string, withPayload: boolean): Promise<DeliveryRow | null> {
  const [row] = await services.db.sequelize.query<DeliveryRow>(
    `SELECT id, source, event_key AS "eventKey", repository_uuid AS "repositoryUuid", repository_full_name AS "repositoryFullName",
            ${withPayload ? "payload" : "NULL AS payload"}, received_at AS "receivedAt"
       FROM deliveries WHERE id = $1`,
    { bind: [id], type: QueryTypes.SELECT },
  );
  return row ? { ...row, receivedAt: Number(row.receivedAt) } : null;
}
