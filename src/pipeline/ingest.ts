import { createHash, randomUUID } from "node:crypto";
import { UniqueConstraintError } from "sequelize";
import { Delivery } from "../models";
import type { DeliverySource } from "../models/delivery";
import type { Services } from "../core/services";

export interface InboundEvent {
  installationId: string;
  source: DeliverySource;
  eventKey: string;
  /** The sender's delivery id (X-Request-UUID, the EventBridge event id…). */
  idempotencyKey: string;
  repository?: { uuid: string; fullName?: string | null } | null;
  payload: unknown;
  /**
   * The sender's token (a Connect JWT). Its qsh binds it to the URL but not to the body, and it
   * carries no nonce, so one token may legitimately sign several deliveries in the same second; the
   * same token with the same body under a new delivery id, though, is a replay.
   */
  token?: string;
}

/** `duplicate`: nothing new was stored. `replay`: a duplicate because its token was already used for another delivery. */
export interface IngestResult {
  deliveryId: string;
  duplicate: boolean;
  jobs: number;
  replay?: boolean;
}

/**
 * verify → **store** → acknowledge → process. Called by the front doors after they verified the
 * sender: writes the delivery and one job per handler of its event in one transaction, then wakes
 * the worker. A delivery seen before is a duplicate: acknowledged, not processed again.
 */
export async function ingest(services: Services, event: InboundEvent): Promise<IngestResult> {
  const tokenHash = event.token
    ? createHash("sha256").update(event.token).update("\n").update(JSON.stringify(event.payload)).digest("hex")
    : null;
  const existing = await Delivery.findOne({
    where: { installationId: event.installationId, source: event.source, idempotencyKey: event.idempotencyKey },
    attributes: ["id"],
  });
  if (existing) {
    services.metrics.deliveriesDuplicate.inc({ source: event.source });
    return { deliveryId: existing.id, duplicate: true, jobs: 0 };
  }
  const sameToken = tokenHash
    ? await Delivery.findOne({ where: { installationId: event.installationId, tokenHash }, attributes: ["id"] })
    : null;
  if (sameToken) {
    // The same signed token and body presented again under another delivery id: a replay, not a retry.
    return { deliveryId: sameToken.id, duplicate: true, jobs: 0, replay: true };
  }
  const handlers = services.registry.handlersFor(event.eventKey);
  const id = randomUUID();
  try {
    await services.db.transaction(async (transaction) => {
      await Delivery.create(
        {
          id,
          installationId: event.installationId,
          source: event.source,
          eventKey: event.eventKey,
          idempotencyKey: event.idempotencyKey,
          repositoryUuid: event.repository?.uuid ?? null,
          repositoryFullName: event.repository?.fullName ?? null,
          payload: JSON.stringify(event.payload),
          receivedAt: Date.now(),
          tokenHash,
        },
        { transaction },
      );
      await services.queue.enqueue(
        handlers.map((h) => ({
          installationId: event.installationId,
          deliveryId: id,
          repositoryUuid: event.repository?.uuid ?? null,
          handler: h.options.name,
          integration: h.options.integration,
          maxAttempts: h.options.maxAttempts ?? services.config.worker.maxAttempts,
        })),
        transaction,
      );
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) {
      // Another request stored the same delivery between our check and our insert.
      services.metrics.deliveriesDuplicate.inc({ source: event.source });
      const row = await Delivery.findOne({
        where: { installationId: event.installationId, source: event.source, idempotencyKey: event.idempotencyKey },
        attributes: ["id"],
      });
      return { deliveryId: row?.id ?? id, duplicate: true, jobs: 0, replay: !row };
    }
    throw err;
  }
  services.metrics.deliveriesReceived.inc({ source: event.source, event: event.eventKey });
  services.queue.notify();
  services.log.debug({ deliveryId: id, source: event.source, event: event.eventKey, repository: event.repository?.fullName, jobs: handlers.length }, "delivery stored");
  return { deliveryId: id, duplicate: false, jobs: handlers.length };
}
