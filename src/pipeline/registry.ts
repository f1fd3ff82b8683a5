import type { z } from "zod";
import type { Transaction } from "sequelize";
import type { EventKey, EventMap, JobMap, JobName } from "./events";
import type { HandlerContext, HandlerOutcome } from "./context";
import type { IntegrationId } from "../settings/registry";

export type Handler<P> = (ctx: HandlerContext<P>) => Promise<HandlerOutcome>;

export interface HandlerOptions {
  /** Unique name, `<integration>.<what>`: the job's handler column and the activity log's label. */
  name: string;
  integration: IntegrationId | "core";
  /** Skip (as ignored) unless the repository has this integration switched on. */
  requiresEnabled?: boolean;
  maxAttempts?: number;
  /**
   * When the worker claims a job of this handler, it also claims up to this many ready jobs of the
   * same handler and installation in all and runs them side by side (beyond the concurrency), so
   * that they can share work, e.g. one PutEvents call for several events. Each still ends on its own.
   */
  claimTogether?: number;
  /**
   * Which stored deliveries of the handler's event keys get a job (all when absent), by the door's
   * delivery source and event key: e.g. EventBridge out forwards a Data Center event as DC sent it,
   * not the core events the door translates it into.
   */
  accepts?: (delivery: { source: string; eventKey: string }) => boolean;
}

export interface Registration {
  options: HandlerOptions;
  run: Handler<unknown>;
  /** For derived jobs: validates the stored payload before it reaches the handler. */
  schema?: z.ZodType<unknown>;
}

/** A delivery being stored, as an ingest hook sees it (inside the transaction that stores it). */
export interface IngestedDelivery<P> {
  deliveryId: string;
  installationId: string;
  source: string;
  eventKey: string;
  repository: { uuid: string; fullName: string | null } | null;
  payload: P;
}

/**
 * Work that must be visible the moment a delivery is acknowledged (e.g. emptying a cache the next
 * view reads). Runs inside the ingest transaction, once per group commit with all the batch's
 * deliveries of its event keys; it must only write to the database (no HTTP), be quick and idempotent.
 * A hook that throws fails the whole batch: its senders get a 5xx and retry.
 */
export type IngestHook<P> = (deliveries: Array<IngestedDelivery<P>>, transaction: Transaction) => Promise<void>;

export interface IngestHookRegistration {
  name: string;
  events: ReadonlySet<string>;
  run: IngestHook<unknown>;
}

/**
 * The typed handler registry: event handlers (one job per handler per delivery) and job handlers
 * (derived work that handlers enqueue). Dispatch is by name, so a job stored today still runs after
 * a restart.
 */
export class HandlerRegistry {
  private readonly byEvent = new Map<string, Registration[]>();
  private readonly byName = new Map<string, Registration>();
  private readonly ingestHookList: IngestHookRegistration[] = [];

  on<K extends EventKey>(event: K | K[], options: HandlerOptions, run: Handler<EventMap[K]>): this {
    const reg = this.add(options, run as Handler<unknown>);
    for (const e of Array.isArray(event) ? event : [event]) {
      const list = this.byEvent.get(e) ?? [];
      list.push(reg);
      this.byEvent.set(e, list);
    }
    return this;
  }

  job<N extends JobName>(name: N, options: Omit<HandlerOptions, "name"> & { schema?: z.ZodType<JobMap[N]> }, run: Handler<JobMap[N]>): this {
    const reg = this.add({ ...options, name }, run as Handler<unknown>);
    reg.schema = options.schema as z.ZodType<unknown> | undefined;
    return this;
  }

  /** Registers an ingest hook (see IngestHook): same-transaction work for deliveries of these event keys. */
  onIngest<K extends EventKey>(event: K | K[], name: string, run: IngestHook<EventMap[K]>): this {
    if (this.ingestHookList.some((h) => h.name === name)) throw new Error(`Ingest hook ${name} is registered twice`);
    this.ingestHookList.push({ name, events: new Set(Array.isArray(event) ? event : [event]), run: run as IngestHook<unknown> });
    return this;
  }

  ingestHooks(): readonly IngestHookRegistration[] {
    return this.ingestHookList;
  }

  handlersFor(event: string): Registration[] {
    return this.byEvent.get(event) ?? [];
  }

  get(name: string): Registration | undefined {
    return this.byName.get(name);
  }

  handles(event: string): boolean {
    return this.byEvent.has(event);
  }

  private add(options: HandlerOptions, run: Handler<unknown>): Registration {
    if (this.byName.has(options.name)) throw new Error(`Handler ${options.name} is registered twice`);
    const reg: Registration = { options, run };
    this.byName.set(options.name, reg);
    return reg;
  }
}
