import { createHash, randomUUID } from "node:crypto";
import { QueryTypes, UniqueConstraintError, type Transaction } from "sequelize";
import type { DeliverySource } from "../models/delivery";
import { insertRows } from "../db/insert-rows";
import type { Services } from "../core/services";
import { switchedOff, type SwitchedOff } from "../settings/switched-off";
import type { IngestedDelivery, Registration } from "./registry";
import { RetryLaterError } from "../http/errors";

export interface InboundEvent {
  installationId: string;
  source: DeliverySource;
  eventKey: string;
  /** The sender's delivery id (X-Request-UUID, the EventBridge event id…). */
  idempotencyKey: string;
  repository?: { uuid: string; fullName?: string | null } | null;
  payload: unknown;
  /**
   * `payload` as the sender sent it (the request body's JSON text, when the body is the payload and
   * the front door validated it without changing it): stored as is instead of serialized again.
   */
  payloadJson?: string;
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
 *
 * Ingest hooks (`registry.onIngest`) run in the same transaction, so that what they write (a cache
 * emptied) is visible to any request that starts after the acknowledgement.
 *
 * Deliveries that arrive while a write is in progress are stored together in the next transaction
 * (group commit): under load one commit serves many requests, and none is acknowledged before the
 * commit that holds it.
 *
 * Rejects with {@link IngestBusyError} (nothing stored) when the events waiting for their commit
 * already hold `config.ingestMaxPendingBytes` of payload (INGEST_MAX_PENDING_BYTES): a stalled
 * database then turns into 503s with Retry-After for the senders rather than an ever-growing process.
 */
export function ingest(services: Services, event: InboundEvent): Promise<IngestResult> {
  let batcher = batchers.get(services);
  if (!batcher) {
    batcher = new IngestBatcher(services);
    batchers.set(services, batcher);
  }
  return batcher.submit(event);
}

/**
 * Too many received events are waiting to be stored (the database is stalled or slower than the
 * senders): this one was not taken. Retryable after `retryAfterMs` (5 s): receivers answer 503 with
 * that `Retry-After`, jobs retry after it.
 */
export class IngestBusyError extends RetryLaterError {
  declare readonly retryAfterMs: number;
  constructor() {
    super("too many events are waiting to be stored, retry later", 5_000);
    this.name = "IngestBusyError";
  }
}

/** Payload bytes (characters) of the events `ingest` holds that are not yet stored or refused: queued or in the commit under way. */
export function ingestPendingBytes(services: Services): number {
  return batchers.get(services)?.pendingBytes ?? 0;
}

interface Pending {
  event: InboundEvent;
  /** The payload serialized once, for the replay hash and the row. */
  payloadJson: string;
  tokenHash: string | null;
  resolve(result: IngestResult): void;
  reject(err: unknown): void;
}

interface Found {
  id: string;
  installationId: string;
  source: DeliverySource;
  idempotencyKey: string;
  tokenHash: string | null;
}

/** The deliveries table's columns and the values ingest writes into them. */
const DELIVERY_COLUMNS = [
  ["id", (r: { p: Pending; id: string; now: number }) => r.id],
  ["installation_id", (r) => r.p.event.installationId],
  ["source", (r) => r.p.event.source],
  ["event_key", (r) => r.p.event.eventKey],
  ["idempotency_key", (r) => r.p.event.idempotencyKey],
  ["repository_uuid", (r) => r.p.event.repository?.uuid ?? null],
  ["repository_full_name", (r) => r.p.event.repository?.fullName ?? null],
  ["payload", (r) => r.p.payloadJson],
  ["received_at", (r) => r.now],
  ["token_hash", (r) => r.p.tokenHash],
] as const satisfies ReadonlyArray<readonly [string, (r: { p: Pending; id: string; now: number }) => string | number | null]>;

const MAX_BATCH = 100;
const batchers = new WeakMap<Services, IngestBatcher>();

const sameDelivery = (a: InboundEvent, b: Pick<InboundEvent, "installationId" | "source" | "idempotencyKey">) =>
  a.installationId === b.installationId && a.source === b.source && a.idempotencyKey === b.idempotencyKey;

class IngestBatcher {
  private queue: Pending[] = [];
  private flushing = false;
  private pending = 0;

  /** Payload characters of the events submitted and not yet settled (queued or in the commit under way). */
  get pendingBytes(): number {
    return this.pending;
  }

  constructor(private readonly services: Services) {}

  submit(event: InboundEvent): Promise<IngestResult> {
    const payloadJson = event.payloadJson ?? JSON.stringify(event.payload);
    // One event is always taken (a payload larger than the bound alone still gets stored).
    const size = payloadJson.length;
    if (this.pending > 0 && this.pending + size > this.services.config.ingestMaxPendingBytes) {
      this.services.metrics.deliveriesShed.inc({ source: event.source });
      return Promise.reject(new IngestBusyError());
    }
    this.pending += size;
    let counted = true;
    const settled = () => {
      if (counted) this.pending -= size;
      counted = false;
    };
    // The parsed payload is kept until the group commit only for the ingest hooks that read it: a
    // 20 KB body's object tree otherwise survives young-generation collections while it waits.
    if (!this.services.registry.ingestHooks().some((h) => h.events.has(event.eventKey))) event = { ...event, payload: undefined };
    const tokenHash = event.token ? createHash("sha256").update(event.token).update("\n").update(payloadJson).digest("hex") : null;
    return new Promise((resolve, reject) => {
      this.queue.push({
        event,
        payloadJson,
        tokenHash,
        resolve: (r) => (settled(), resolve(r)),
        reject: (e) => (settled(), reject(e)),
      });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.store(batch);
        } catch (err) {
          if (batch.length > 1 && err instanceof UniqueConstraintError) {
            // Another instance stored one of these meanwhile: settle them one by one.
            for (const p of batch) await this.store([p]).catch((e: unknown) => p.reject(e));
          } else {
            for (const p of batch) p.reject(err);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Deliveries already stored that match a pending one by delivery id or by (token, body). */
  private async existing(batch: Pending[]): Promise<Found[]> {
    const { sql, bind } = storedDeliveriesQuery(batch.map((p) => ({ ...p.event, tokenHash: p.tokenHash })));
    return this.services.db.sequelize.query<Found>(sql, { bind, type: QueryTypes.SELECT });
  }

  /**
   * The handlers that get a job for each event: every handler of its event key that `accepts` it, but
   * those registered with `requiresEnabled` only where the event names a repository whose integration may be on
   * (src/settings/switched-off.ts; one read per batch). Elsewhere their job would only end "ignored".
   */
  private async handlersOf(events: InboundEvent[]): Promise<(event: InboundEvent) => Registration[]> {
    const { registry, db } = this.services;
    const gated = events.filter((e) => e.repository && registry.handlersFor(e.eventKey).some((h) => h.options.requiresEnabled));
    const off: SwitchedOff = gated.length
      ? await switchedOff(db, gated.map((e) => ({ installationId: e.installationId, repositoryUuid: e.repository!.uuid })))
      : () => false;
    return (event) =>
      registry
        .handlersFor(event.eventKey)
        .filter((h) => !h.options.accepts || h.options.accepts(event))
        .filter((h) => !h.options.requiresEnabled || (event.repository && !off(event.installationId, event.repository.uuid, h.options.integration)));
  }

  private async store(batch: Pending[]): Promise<void> {
    const { services } = this;
    const found = await this.existing(batch);
    const settled: Array<[Pending, IngestResult]> = [];
    const fresh: Array<{ p: Pending; id: string; jobs: number }> = [];
    for (const p of batch) {
      const dup = found.find((f) => sameDelivery(p.event, f)) ?? fresh.find((f) => sameDelivery(p.event, f.p.event));
      if (dup) {
        settled.push([p, { deliveryId: dup.id, duplicate: true, jobs: 0 }]);
        continue;
      }
      const replay =
        p.tokenHash &&
        (found.find((f) => f.tokenHash === p.tokenHash && f.installationId === p.event.installationId) ??
          fresh.find((f) => f.p.tokenHash === p.tokenHash && f.p.event.installationId === p.event.installationId));
      if (replay) {
        // The same signed token and body presented again under another delivery id: a replay, not a retry.
        settled.push([p, { deliveryId: replay.id, duplicate: true, jobs: 0, replay: true }]);
        continue;
      }
      fresh.push({ p, id: randomUUID(), jobs: 0 });
    }
    const handlers = await this.handlersOf(fresh.map((f) => f.p.event));
    for (const f of fresh) f.jobs = handlers(f.p.event).length;
    if (fresh.length) {
      const now = Date.now();
      await services.db.transaction(async (transaction) => {
        await insertRows(services.db, "deliveries", DELIVERY_COLUMNS, fresh.map(({ p, id }) => ({ p, id, now })), transaction);
        await services.queue.enqueue(
          fresh.flatMap(({ p, id }) =>
            handlers(p.event).map((h) => ({
              installationId: p.event.installationId,
              deliveryId: id,
              repositoryUuid: p.event.repository?.uuid ?? null,
              handler: h.options.name,
              integration: h.options.integration,
              maxAttempts: h.options.maxAttempts ?? services.config.worker.maxAttempts,
            })),
          ),
          transaction,
        );
        await runIngestHooks(services, fresh, transaction);
      });
      services.queue.notify();
    }
    for (const { p, id, jobs } of fresh) {
      services.metrics.deliveriesReceived.inc({ source: p.event.source, event: p.event.eventKey });
      services.log.debug({ deliveryId: id, source: p.event.source, event: p.event.eventKey, repository: p.event.repository?.fullName, jobs }, "delivery stored");
      p.resolve({ deliveryId: id, duplicate: false, jobs });
    }
    for (const [p, result] of settled) {
      services.metrics.deliveriesDuplicate.inc({ source: p.event.source });
      p.resolve(result);
    }
  }
}

/**
 * The statement finding the stored deliveries that match any of `keys` by delivery id (installation,
 * source, idempotency key) or by token hash (installation, token hash): one index search per branch.
 * Each branch names every column of its index (deliveries_idempotency, deliveries_token_hash):
 * without the source, SQLite searched by installation alone and read every delivery of the
 * installation for each group commit (a cost that grew with the table).
 */
export function storedDeliveriesQuery(
  keys: ReadonlyArray<{ installationId: string; source: string; idempotencyKey: string; tokenHash?: string | null }>,
): { sql: string; bind: string[] } {
  const bind: string[] = [];
  const list = (values: Iterable<string>) =>
    [...new Set(values)]
      .map((v) => {
        bind.push(v);
        return `$${bind.length}`;
      })
      .join(", ");
  const installations = list(keys.map((k) => k.installationId));
  const byKey = `(installation_id IN (${installations}) AND source IN (${list(keys.map((k) => k.source))}) AND idempotency_key IN (${list(keys.map((k) => k.idempotencyKey))}))`;
  const tokenHashes = keys.flatMap((k) => (k.tokenHash ? [k.tokenHash] : []));
  const byToken = tokenHashes.length ? ` OR (installation_id IN (${installations}) AND token_hash IN (${list(tokenHashes)}))` : "";
  return {
    sql: `SELECT id, installation_id AS "installationId", source, idempotency_key AS "idempotencyKey", token_hash AS "tokenHash"
            FROM deliveries WHERE ${byKey}${byToken}`,
    bind,
  };
}

/** Each ingest hook once per batch, with the batch's deliveries of its event keys. */
async function runIngestHooks(services: Services, fresh: Array<{ p: Pending; id: string }>, transaction: Transaction): Promise<void> {
  for (const hook of services.registry.ingestHooks()) {
    const mine: Array<IngestedDelivery<unknown>> = [];
    for (const { p, id } of fresh) {
      if (!hook.events.has(p.event.eventKey)) continue;
      const r = p.event.repository;
      mine.push({
        deliveryId: id,
        installationId: p.event.installationId,
        source: p.event.source,
        eventKey: p.event.eventKey,
        repository: r ? { uuid: r.uuid, fullName: r.fullName ?? null } : null,
        payload: p.event.payload,
      });
    }
    if (mine.length) await hook.run(mine, transaction);
  }
}
