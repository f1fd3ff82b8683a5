import { randomUUID } from "node:crypto";
import type { Job } from "../models";
import { deliveryOf } from "./delivery-row";
import { collectCalls } from "../http/call-log";
import { PermanentError, isRetryable, retryAfterOf } from "../http/errors";
import { backoffDelay } from "../http/retry";
import { linkDelivery } from "./delivery-links";
import { acquireWorkerLock, SQLITE_OWNER_PREFIX, type WorkerLock } from "./sqlite-owner";
import type { Services } from "../core/services";
import type { HandlerContext, HandlerOutcome } from "./context";
import type { IntegrationId, IntegrationSettings } from "../settings/registry";
import type { BitbucketApi } from "../bitbucket/host-api";

export interface WorkerOptions {
  id?: string;
  concurrency: number;
  pollMs: number;
  leaseMs: number;
}

/**
 * Claims jobs and runs their handlers. Woken by enqueue in this process, and by a poll for work
 * enqueued by other instances or falling due. Claims are leases kept alive by a heartbeat (every
 * third of the lease): a dead instance's jobs go to a live one once their lease runs out, and on
 * SQLite a restarted process takes its predecessor's up at once (see takeOver). A failed job is re-scheduled with the retry policy
 * (Retry-After wins) until its last attempt, then it is dead and keeps its error for a replay.
 */
export class Worker {
  private workerId: string;
  private lock: WorkerLock | null = null;
  /** Whether this worker owns its SQLite file (always false on PostgreSQL); set once started. */
  owner = false;
  /** Resolves once the worker has settled its ownership and started claiming. */
  ready: Promise<void> = Promise.resolve();
  private running = false;
  private readonly active = new Map<string, Promise<void>>();
  private wakeTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private wakeResolve: (() => void) | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  lastTickAt = 0;

  constructor(
    private readonly services: Services,
    private readonly opts: WorkerOptions,
  ) {
    this.workerId = opts.id ?? `worker-${randomUUID().slice(0, 8)}`;
  }

  /** The worker's id, the `locked_by` of the jobs it claims (`sqlite-owner-…` once it owns a SQLite file). */
  get id(): string {
    return this.workerId;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastTickAt = Date.now();
    this.services.queue.events.on("enqueued", this.wake);
    this.heartbeat = setInterval(() => {
      void this.services.queue
        .extendLease(this.id, [...this.active.keys()], this.opts.leaseMs)
        .catch((err) => this.services.log.error({ err }, "lease heartbeat failed"));
    }, Math.max(50, Math.floor(this.opts.leaseMs / 3)));
    this.heartbeat.unref();
    this.ready = this.takeOver();
    this.loopDone = this.ready.then(() => this.loop());
  }

  /**
   * On SQLite, one process owns the file (sqlite-owner.ts). The owner's jobs that were running when
   * a previous owner died are taken up at once rather than after their lease. A worker that cannot
   * own the file (another live process runs one) works as before: its dead claims wait for the lease.
   */
  private async takeOver(): Promise<void> {
    const { services } = this;
    const db = services.config.database;
    if (db.kind !== "sqlite") return;
    try {
      this.lock = db.file === ":memory:" ? null : await acquireWorkerLock(db.file);
    } catch (err) {
      services.log.error({ err }, "could not open the SQLite worker lock: crashed jobs wait for their lease");
      return;
    }
    if (!this.lock && db.file !== ":memory:") {
      services.log.warn(
        { database: db.file },
        "another process runs the worker on this SQLite file (SQLite is one process; use PostgreSQL for several): this worker's crashed jobs wait for their lease",
      );
      return;
    }
    this.owner = true;
    this.workerId = `${SQLITE_OWNER_PREFIX}${this.workerId.replace(/^worker-/, "")}`;
    const released = await services.queue.releaseClaimsOf(SQLITE_OWNER_PREFIX, this.workerId).catch((err: unknown) => {
      services.log.error({ err }, "taking up the jobs of a previous process failed: they wait for their lease");
      return 0;
    });
    if (released) services.log.info({ jobs: released }, "took up the jobs that were running when the previous process stopped");
  }

  /** Stops claiming, waits for running jobs to settle. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.services.queue.events.off("enqueued", this.wake);
    this.wake();
    await this.loopDone;
    await Promise.allSettled(this.active.values());
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    await this.lock?.release();
    this.lock = null;
  }

  get alive(): boolean {
    return this.running && Date.now() - this.lastTickAt < Math.max(this.opts.pollMs * 5, 30_000);
  }

  readonly wake = (): void => {
    const r = this.wakeResolve;
    this.wakeResolve = null;
    r?.();
  };

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeResolve = resolve;
      if (this.wakeTimer) clearTimeout(this.wakeTimer);
      this.wakeTimer = setTimeout(this.wake, ms);
      this.wakeTimer.unref();
    });
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.lastTickAt = Date.now();
      const free = this.opts.concurrency - this.active.size;
      let claimed: Job[] = [];
      if (free > 0) {
        try {
          claimed = await this.services.queue.claim(this.id, free, this.opts.leaseMs);
        } catch (err) {
          this.services.log.error({ err }, "claiming jobs failed");
        }
        claimed.push(...(await this.claimTogether(claimed)));
        for (const job of claimed) {
          const p = this.run(job)
            // Recording the outcome failed (e.g. the database went away): the job stays claimed and is
            // taken up again when its lease runs out; the worker itself goes on.
            .catch((err: unknown) => this.services.log.error({ err, jobId: job.id, handler: job.handler }, "recording a job's outcome failed"))
            .finally(() => {
              this.active.delete(job.id);
              this.wake();
            });
          this.active.set(job.id, p);
        }
      }
      if (!this.running) break;
      if (claimed.length && claimed.length === free) continue; // more may be waiting
      let waitMs = this.opts.pollMs;
      if (this.active.size < this.opts.concurrency) {
        const due = await this.services.queue.nextDueAt().catch(() => null);
        if (due !== null) waitMs = Math.max(0, Math.min(waitMs, due - Date.now()));
      }
      if (waitMs > 0 || this.active.size >= this.opts.concurrency) await this.sleep(Math.max(waitMs, 1));
    }
  }

  /** For handlers with `claimTogether`: more ready jobs of the same handler and installation, up to its number. */
  private async claimTogether(claimed: Job[]): Promise<Job[]> {
    const groups = new Map<string, { like: Job; n: number; max: number }>();
    for (const job of claimed) {
      const max = this.services.registry.get(job.handler)?.options.claimTogether ?? 0;
      if (max < 2) continue;
      const key = `${job.handler}|${job.installationId}`;
      const g = groups.get(key) ?? { like: job, n: 0, max };
      g.n++;
      groups.set(key, g);
    }
    const more: Job[] = [];
    for (const g of groups.values()) {
      try {
        more.push(...(await this.services.queue.claimTogether(this.id, g.like, g.max - g.n, this.opts.leaseMs)));
      } catch (err) {
        this.services.log.error({ err }, "claiming jobs together failed");
      }
    }
    return more;
  }

  private async run(job: Job): Promise<void> {
    const { services } = this;
    const reg = services.registry.get(job.handler);
    // The job's fields on each line it logs, without a child logger per job (pino serializes a child's bindings when made).
    const fields = { jobId: job.id, handler: job.handler, installationId: job.installationId, attempt: job.attempts };
    const log = services.log;
    if (!reg) {
      await services.queue.fail(job, this.id, `No handler registered for ${job.handler}`, null, []);
      services.metrics.jobsDead.inc({ handler: job.handler });
      return;
    }
    const started = Date.now();
    const { calls, result, error } = await collectCalls(() => this.execute(job, reg.run, reg.schema, reg.options, fields));
    if (error === undefined) {
      const outcome = result as HandlerOutcome;
      const ignored = outcome && "ignored" in outcome ? outcome.ignored : undefined;
      const status = ignored ? "ignored" : "done";
      const summary = ignored ? { reason: ignored } : outcome && "done" in outcome ? outcome.done : undefined;
      await services.queue.finish(job, this.id, status, summary, calls);
      services.metrics.jobsProcessed.inc({ handler: job.handler, outcome: status });
      log.info({ ...fields, outcome: status, reason: ignored, ms: Date.now() - started }, "job finished");
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const maxAttempts = job.maxAttempts;
    const retry = isRetryable(error) && job.attempts < maxAttempts;
    const retryAt = retry ? Date.now() + backoffDelay(services.config.retry, job.attempts, retryAfterOf(error)) : null;
    await services.queue.fail(job, this.id, message, retryAt, calls);
    services.metrics.jobsFailed.inc({ handler: job.handler });
    if (retryAt === null) {
      services.metrics.jobsDead.inc({ handler: job.handler });
      log.error({ ...fields, err: error }, "job is dead");
    } else {
      log.warn({ ...fields, err: { message }, retryInMs: retryAt - Date.now() }, "job failed, will retry");
      const t = setTimeout(this.wake, Math.max(0, retryAt - Date.now()));
      t.unref();
    }
  }

  private async execute(
    job: Job,
    run: (ctx: HandlerContext<unknown>) => Promise<HandlerOutcome>,
    schema: { parse(v: unknown): unknown } | undefined,
    options: { integration: string; requiresEnabled?: boolean },
    fields: Record<string, unknown>,
  ): Promise<HandlerOutcome> {
    const { services } = this;
    const installation = await services.installations.get(job.installationId);
    if (!installation) return { ignored: "installation no longer exists" };
    // A job's repository is its own or, for an event's job, its delivery's (ingest writes the same into both).
    const delivery = job.deliveryId ? await deliveryOf(services, job.deliveryId, job.payload === null) : null;
    const repositoryUuid = job.repositoryUuid ?? delivery?.repositoryUuid ?? null;
    const repository = repositoryUuid ? { uuid: repositoryUuid, fullName: delivery?.repositoryFullName ?? null } : null;
    // One read of an integration's settings per job: the on/off check and the handler share it.
    const read = new Map<string, Promise<unknown>>();
    const settings = <I extends IntegrationId>(integration: I): Promise<IntegrationSettings<I>> => {
      if (!repository) throw new Error("This job has no repository: settings are per repository");
      let doc = read.get(integration);
      if (!doc) {
        doc = services.settings.get(installation.id, repository.uuid, integration);
        read.set(integration, doc);
      }
      return doc as Promise<IntegrationSettings<I>>;
    };
    if (options.requiresEnabled) {
      if (!repository) return { ignored: "no repository" };
      const doc = (await settings(options.integration as IntegrationId)) as { enabled: boolean };
      if (!doc.enabled) return { ignored: `${options.integration} is off for this repository` };
    }
    // The payload is parsed only for a job that runs.
    const raw: unknown = job.payload !== null ? JSON.parse(job.payload) : delivery?.payload ? JSON.parse(delivery.payload) : null;
    let payload: unknown = raw;
    if (schema) {
      try {
        payload = schema.parse(raw);
      } catch (err) {
        throw new PermanentError(`stored payload does not match ${job.handler}: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
      }
    }
    let log: Services["log"] | undefined;
    const logOf = () =>
      (log ??= services.log.child({
        ...fields,
        workspace: installation.workspaceUuid,
        repository: repository?.fullName ?? repositoryUuid ?? undefined,
        deliveryId: job.deliveryId ?? undefined,
      }));
    let api: BitbucketApi | undefined;
    const ctx: HandlerContext<unknown> = {
      job: { id: job.id, handler: job.handler, attempt: job.attempts, maxAttempts: job.maxAttempts },
      delivery: delivery ? { id: delivery.id, source: delivery.source, eventKey: delivery.eventKey, receivedAt: Number(delivery.receivedAt) } : null,
      installation,
      repository,
      payload,
      // Built on first use: handlers that never call Bitbucket (a door's translate job) need no API for their host.
      get bitbucket() {
        return (api ??= services.bitbucketApiFor(installation));
      },
      // Made when the handler first logs (most never do).
      get log() {
        return logOf();
      },
      settings,
      enqueue: async (name, p, o = {}) => {
        const reg = services.registry.get(name);
        if (!reg) throw new Error(`No job handler ${name}`);
        await services.queue.enqueue([
          {
            installationId: installation.id,
            deliveryId: job.deliveryId,
            repositoryUuid: o.repositoryUuid === undefined ? repositoryUuid : o.repositoryUuid,
            handler: name,
            integration: reg.options.integration,
            payload: p,
            dedupeKey: o.dedupeKey ?? null,
            maxAttempts: reg.options.maxAttempts ?? services.config.worker.maxAttempts,
            runAt: Date.now() + (o.delayMs ?? 0),
          },
        ]);
        services.queue.notify();
      },
      linkRepository: async (uuid) => {
        if (job.deliveryId) await linkDelivery(services.db, { installationId: installation.id, deliveryId: job.deliveryId, repositoryUuid: uuid });
      },
      services,
    };
    return run(ctx);
  }
}
