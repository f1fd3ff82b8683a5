import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Services } from "../core/services";
import type { HandlerRegistry } from "../pipeline/registry";
import { WorkspaceApplyRun } from "../models";
import { SettingsValidationError } from "./service";

/** The background job of one "apply workspace defaults" run. */
export const APPLY_DEFAULTS_JOB = "settings.apply-defaults";

const ApplyJobSchema = z.object({ runId: z.string().min(1).max(36) });

declare module "../pipeline/events" {
  interface JobMap {
    "settings.apply-defaults": { runId: string };
  }
}

/** A run as the workspace page sees it. */
export interface ApplyRunView {
  id: string;
  integration: string;
  fields: string[] | null;
  repositories: string[] | null;
  status: string;
  total: number;
  done: number;
  updated: number;
  createdAt: number;
  finishedAt: number | null;
}

export function applyRunView(r: WorkspaceApplyRun): ApplyRunView {
  return {
    id: r.id,
    integration: r.integration,
    fields: r.fields ? (JSON.parse(r.fields) as string[]) : null,
    repositories: r.repositories ? (JSON.parse(r.repositories) as string[]) : null,
    status: r.status,
    total: Number(r.total),
    done: Number(r.done),
    updated: Number(r.updated),
    createdAt: Number(r.createdAt),
    finishedAt: r.finishedAt === null ? null : Number(r.finishedAt),
  };
}

/**
 * Starts "apply the workspace defaults" for one integration: the selected repositories (or every
 * repository with settings of its own; the others inherit already) drop their own values of
 * `fields` (or of every field), so they follow the workspace defaults from then on, including
 * later changes. Nothing is copied: a repository keeps no stale copy of a default (or of a secret).
 * Returns the queued run; the job reports progress on it (`total`, `done`, `updated`).
 */
export async function startApplyRun(
  services: Services,
  installationId: string,
  integration: string,
  opts: { fields: string[] | null; repositories: string[] | null; actor: string | null },
): Promise<ApplyRunView> {
  const id = randomUUID();
  const run = await services.db.transaction(async (transaction) => {
    const created = await WorkspaceApplyRun.create(
      {
        id,
        installationId,
        integration,
        fields: opts.fields ? JSON.stringify(opts.fields) : null,
        repositories: opts.repositories ? JSON.stringify(opts.repositories) : null,
        status: "queued",
        actor: opts.actor,
        createdAt: Date.now(),
        finishedAt: null,
      },
      { transaction },
    );
    const reg = services.registry.get(APPLY_DEFAULTS_JOB);
    await services.queue.enqueue(
      [{ installationId, handler: APPLY_DEFAULTS_JOB, integration: "core", payload: { runId: id }, maxAttempts: reg?.options.maxAttempts ?? services.config.worker.maxAttempts }],
      transaction,
    );
    return created;
  });
  services.queue.notify();
  return applyRunView(run);
}

/**
 * The job: repository by repository, drops the run's fields from the repository's own settings
 * (idempotent: a retried run starts over and changes nothing twice), counting progress as it goes.
 */
export function registerApplyDefaults(registry: HandlerRegistry, services: Services): void {
  registry.job(APPLY_DEFAULTS_JOB, { integration: "core", schema: ApplyJobSchema, maxAttempts: 3 }, async (ctx) => {
    const run = await WorkspaceApplyRun.findOne({ where: { id: ctx.payload.runId, installationId: ctx.installation.id } });
    if (!run) return { ignored: "the run no longer exists" };
    const installationId = ctx.installation.id;
    const selected = run.repositories ? (JSON.parse(run.repositories) as string[]) : null;
    const withSettings = await services.settings.repositoriesWithSettings(installationId);
    const targets = selected
      ? selected.map((uuid) => withSettings.find((r) => r.uuid === uuid) ?? { uuid, fullName: null })
      : withSettings;
    await run.update({ status: "running", total: targets.length, done: 0, updated: 0 });
    const only = run.fields ? (JSON.parse(run.fields) as string[]) : null;
    let done = 0;
    let updated = 0;
    try {
      for (const repo of targets) {
        const own = await services.settings.ownFields(installationId, repo.uuid, run.integration);
        const drop = only ? own.filter((f) => only.includes(f)) : own;
        if (drop.length) {
          try {
            await services.settings.update(installationId, repo, run.integration, { inherit: drop }, run.actor);
            updated++;
          } catch (err) {
            // The repository's remaining fields and the defaults break a rule together: it keeps its settings.
            if (!(err instanceof SettingsValidationError)) throw err;
            ctx.log.warn({ repository: repo.fullName ?? repo.uuid, reason: err.message }, "workspace defaults not applied to a repository");
          }
        }
        done++;
        await run.update({ done, updated });
      }
    } catch (err) {
      if (ctx.job.attempt >= ctx.job.maxAttempts) await run.update({ status: "failed", finishedAt: Date.now() });
      throw err;
    }
    await run.update({ status: "finished", finishedAt: Date.now() });
    return { done: { integration: run.integration, repositories: done, updated } };
  });
}
