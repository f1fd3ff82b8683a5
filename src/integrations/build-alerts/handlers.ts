import type { HandlerRegistry } from "../../pipeline/registry";
import type { Services } from "../../core/services";
import { matchesAny } from "./filters";
import { phaseOf } from "../../core/build-phase";
import { identityOf } from "./identity";
import { applyStatus, NOTIFY_JOB, registerIncidentPurge } from "./incidents";
import { NotifyJobSchema, notifyTarget } from "./notify";
import { enabledTargets } from "./settings";
import { snapshotOf, statusTime } from "./snapshot";

/**
 * Commit-status webhooks drive the incidents. Statuses the app posts itself (Buildkite) come back from
 * Bitbucket as the same webhooks, so this one path covers both sources.
 */
export function registerBuildAlerts(registry: HandlerRegistry, services: Services): void {
  registerIncidentPurge(services);

  registry.on(
    ["repo:commit_status_created", "repo:commit_status_updated"],
    { name: "build-alerts.commit-status", integration: "build-alerts", requiresEnabled: true },
    async (ctx) => {
      if (!ctx.repository) return { ignored: "no repository" };
      const settings = await ctx.settings("build-alerts");
      const identity = identityOf(ctx.payload);
      if (!matchesAny(identity.statusKey, settings.statusKeys)) return { ignored: `status key ${identity.statusKey} is filtered out` };
      if (!matchesAny(identity.ref, settings.branches)) {
        return { ignored: identity.ref ? `branch ${identity.ref} is filtered out` : "the status names no branch and a branch filter is set" };
      }
      const snapshot = snapshotOf(ctx.payload);
      const targets = enabledTargets(settings);
      // Only a FAILED status needs to know whether its build still runs (the paging policy's `openWhen`).
      const phase =
        snapshot.state === "FAILED"
          ? await phaseOf(ctx.services, {
              installationId: ctx.installation.id,
              repositoryUuid: ctx.repository.uuid,
              commit: snapshot.commit,
              key: snapshot.key,
              state: snapshot.state,
              name: snapshot.name,
              description: snapshot.description,
            })
          : "finished";
      const { decision, incident } = await applyStatus(ctx.services, {
        installationId: ctx.installation.id,
        repositoryUuid: ctx.repository.uuid,
        identity,
        snapshot,
        eventAt: statusTime(snapshot, ctx.delivery?.receivedAt ?? Date.now()),
        targets,
        policy: { openWhen: settings.openWhen, resolveWhen: settings.resolveWhen },
        phase,
        deliveryId: ctx.delivery?.id ?? null,
      });
      if (decision.kind === "ignore") return { ignored: decision.reason };
      ctx.services.queue.notify();
      return { done: { action: decision.kind, phase, identity: incident?.dedup_key ?? identity.dedupKey, incidentId: incident?.id, targets } };
    },
  );

  registry.job(NOTIFY_JOB, { integration: "build-alerts", requiresEnabled: true, schema: NotifyJobSchema }, notifyTarget);
}
