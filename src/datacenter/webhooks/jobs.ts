import { randomUUID } from "node:crypto";
import { z } from "zod";
import { QueryTypes, type Transaction } from "sequelize";
import { REPOSITORY_ID_FORMATS } from "../../bitbucket/repository-id";
import type { Services } from "../../core/services";
import { PermanentError, RetryLaterError } from "../../http/errors";
import { RepositoryRecord } from "../../models";
import type { SwitchChange } from "../../core/integration-switches";
import { dataCenterClientKey } from "../installations";
import { anyIntegrationOn, syncRepositoryWebhook } from "./repair";
import { DataCenterWebhookStore } from "./store";

/** Registers or repairs the webhook of the job's repository (`syncRepositoryWebhook`). */
export const WEBHOOK_SYNC_JOB = "datacenter.webhook-sync";
/** One repair pass over an installation's repositories: a sync job for each that has or needs a webhook. */
export const WEBHOOK_REPAIR_JOB = "datacenter.webhook-repair";

/** How often every DC repository's webhook is checked (and repaired: deleted, disabled, lost events or secret). */
export const WEBHOOK_REPAIR_INTERVAL_MS = 15 * 60_000;

declare module "../../pipeline/events" {
  interface JobMap {
    "datacenter.webhook-sync": { rotate?: boolean };
    "datacenter.webhook-repair": { run: string };
  }
}

const SyncSchema = z.object({ rotate: z.boolean().optional() }).strict();
const RepairSchema = z.object({ run: z.string().min(1).max(64) }).strict();

/**
 * Enqueues a sync of one repository's webhook (in the caller's transaction when given; the worker is
 * woken after it commits). Listed in that repository's activity log with its calls and outcome.
 */
export async function enqueueWebhookSync(
  services: Services,
  installationId: string,
  repositoryUuid: string,
  opts: { transaction?: Transaction; rotate?: boolean; dedupeKey?: string } = {},
): Promise<void> {
  const reg = services.registry.get(WEBHOOK_SYNC_JOB);
  await services.queue.enqueue(
    [
      {
        installationId,
        repositoryUuid,
        handler: WEBHOOK_SYNC_JOB,
        integration: "core",
        payload: opts.rotate ? { rotate: true } : {},
        dedupeKey: opts.dedupeKey ?? null,
        maxAttempts: reg?.options.maxAttempts ?? services.config.worker.maxAttempts,
      },
    ],
    opts.transaction,
  );
  if (opts.transaction) opts.transaction.afterCommit(() => services.queue.notify());
  else services.queue.notify();
}

/**
 * Enqueues a repair pass of one installation. `periodic`: once per slot of WEBHOOK_REPAIR_INTERVAL_MS
 * however many app instances ask (the slot is the dedupe key); otherwise (a settings change) always.
 * Returns whether it was enqueued now.
 */
export async function enqueueWebhookRepair(services: Services, installationId: string, opts: { periodic?: boolean; now?: number; transaction?: Transaction } = {}): Promise<boolean> {
  const { transaction } = opts;
  const run = opts.periodic ? `p${Math.floor((opts.now ?? Date.now()) / WEBHOOK_REPAIR_INTERVAL_MS)}` : randomUUID();
  const reg = services.registry.get(WEBHOOK_REPAIR_JOB);
  const n = await services.queue.enqueue(
    [{ installationId, handler: WEBHOOK_REPAIR_JOB, integration: "core", payload: { run }, dedupeKey: opts.periodic ? `dc-webhook-repair:${run}` : null, maxAttempts: reg?.options.maxAttempts ?? 3 }],
    transaction,
  );
  if (n) (transaction ? transaction.afterCommit(() => services.queue.notify()) : services.queue.notify());
  return n > 0;
}

/** The DC repositories of an installation that may have or need a webhook: registered ones, those with settings, known ones, any an integration is on for. */
async function candidates(services: Services, installationId: string): Promise<string[]> {
  const store = new DataCenterWebhookStore(services.db, services.box);
  const ids = new Set<string>((await store.list(installationId)).map((r) => r.repositoryUuid));
  for (const r of await services.settings.repositoriesWithSettings(installationId)) ids.add(r.uuid);
  for (const r of await RepositoryRecord.findAll({ where: { installationId }, attributes: ["repositoryId"] })) ids.add(r.repositoryId);
  for (const id of await services.switches.repositoriesOn(installationId)) ids.add(id);
  return [...ids].filter((id) => REPOSITORY_ID_FORMATS.datacenter.normalise(id) === id).sort();
}

/** How long a sync waits before it tries again when an earlier sync of its repository is running, in ms. */
const SYNC_DEFER_MS = 1_000;

/**
 * True when another sync job of the same repository was claimed before job `jobId` and is still
 * running (its lease not run out; the earlier claim, then the smaller id, goes first). Two syncs side
 * by side (an integration switched on while the repair pass runs, two switched on at once, two app
 * instances) would each find no webhook on DC and each register one: the duplicate's deliveries carry
 * a secret the app does not hold and get 401 until the next repair. The later one waits instead.
 */
export async function earlierSyncRunning(services: Services, jobId: string, now = Date.now()): Promise<boolean> {
  const [row] = await services.db.sequelize.query<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM jobs o JOIN jobs me ON me.id = :jobId
      WHERE o.status = 'running' AND o.handler = me.handler AND o.installation_id = me.installation_id
        AND o.repository_uuid = me.repository_uuid AND o.id <> me.id AND o.locked_until >= :now
        AND (o.locked_until < me.locked_until OR (o.locked_until = me.locked_until AND o.id < me.id))`,
    { replacements: { jobId, now }, type: QueryTypes.SELECT },
  );
  return Number(row?.n ?? 0) > 0;
}

/**
 * The webhook jobs, and the switch listener (`services.switches.onSwitch`) that enqueues a sync when
 * any integration — a settings card or review insights — is switched on or off for a DC repository
 * (or for the whole instance, through the workspace defaults: then a repair pass over every
 * repository). DC is never called on the request path.
 */
export function registerWebhookJobs(services: Services): void {
  const { registry } = services;
  if (registry.get(WEBHOOK_SYNC_JOB)) return;
  const store = new DataCenterWebhookStore(services.db, services.box);
  registry.job(WEBHOOK_SYNC_JOB, { integration: "core", schema: SyncSchema }, async (ctx) => {
    if (ctx.installation.host !== "datacenter") return { ignored: "not a Data Center installation" };
    if (!ctx.repository) throw new PermanentError("webhook sync job without a repository");
    if (await earlierSyncRunning(ctx.services, ctx.job.id)) throw new RetryLaterError("another sync of this repository's webhook is running", SYNC_DEFER_MS);
    const r = await syncRepositoryWebhook(ctx.services, ctx.installation, ctx.repository.uuid, ctx.payload);
    if (r.outcome === "none") return { ignored: "no integration is switched on and no webhook is registered" };
    return { done: { webhook: r.outcome, webhookId: r.webhookId, events: r.events, removedDuplicates: r.removedDuplicates } };
  });
  registry.job(WEBHOOK_REPAIR_JOB, { integration: "core", schema: RepairSchema, maxAttempts: 3 }, async (ctx) => {
    if (ctx.installation.host !== "datacenter") return { ignored: "not a Data Center installation" };
    let queued = 0;
    // Rows whose webhook was removed need no check until an integration is on again.
    const registered = new Set((await store.list(ctx.installation.id)).filter((r) => r.lastOutcome !== "removed").map((r) => r.repositoryUuid));
    for (const id of await candidates(ctx.services, ctx.installation.id)) {
      if (!registered.has(id) && !(await anyIntegrationOn(ctx.services, ctx.installation.id, id))) continue;
      await enqueueWebhookSync(ctx.services, ctx.installation.id, id, { dedupeKey: `dc-webhook-sync:${id}:${ctx.payload.run}` });
      queued++;
    }
    return { done: { repositories: queued } };
  });
  services.switches.onSwitch(async (change: SwitchChange, transaction) => {
    const installation = await services.installations.get(change.installationId);
    if (installation?.host !== "datacenter") return;
    if (change.repositoryUuid === null) await enqueueWebhookRepair(services, change.installationId, { transaction });
    else await enqueueWebhookSync(services, change.installationId, change.repositoryUuid, { transaction });
  });
}

/**
 * The periodic repair (where the worker runs): shortly after start-up, then every
 * WEBHOOK_REPAIR_INTERVAL_MS, a repair pass per configured instance (enqueued once per slot however
 * many app instances run). `tick()` runs one at once (tests).
 */
export function startWebhookRepair(services: Services, intervalMs = WEBHOOK_REPAIR_INTERVAL_MS, firstRunMs = 60_000): { stop(): Promise<void>; tick(): Promise<number> } {
  let running: Promise<number> | null = null;
  const tick = async (): Promise<number> => {
    let n = 0;
    for (const inst of services.config.dataCenter.instances) {
      const installation = await services.installations.findByClientKey("datacenter", dataCenterClientKey(inst.id));
      if (installation && (await enqueueWebhookRepair(services, installation.id, { periodic: true }))) n++;
    }
    return n;
  };
  const run = () => {
    if (running) return;
    running = tick()
      .catch((err: unknown) => {
        services.log.error({ err }, "Data Center webhooks: enqueueing the repair pass failed");
        return 0;
      })
      .finally(() => (running = null));
  };
  const first = setTimeout(run, firstRunMs);
  const every = setInterval(run, intervalMs);
  first.unref();
  every.unref();
  return {
    tick,
    async stop() {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
