import { z } from "zod";
import type { HandlerRegistry } from "../../pipeline/registry";
import type { Services } from "../../core/services";
import type { BuildkiteReportJob } from "./build-event";
import { isKnownState, rankOf, statusFor } from "./mapping";
import { cloneUrlMatcher, parseDataCenterGitUrl, redactGitUrl } from "./repo-url";
import { repositories } from "../../core/repositories";
import { echoPostedStatus } from "../../core/status-echo";
import type { InstallationView } from "../../core/installations";
import { selectRepositories, skipReason } from "./routing";
import { ReportedStatusStore } from "./reported-store";
import { registerPhaseSource } from "../../core/build-phase";
import { buildkitePhase } from "./build-phase";

const ReportJobSchema: z.ZodType<BuildkiteReportJob> = z.object({
  eventId: z.string().min(1),
  repository: z.object({ uuid: z.string().min(1), fullName: z.string().nullable() }),
  commit: z.string().regex(/^[0-9a-f]{7,40}$/i),
  buildNumber: z.number().int().nonnegative(),
  buildState: z.string().min(1),
  rank: z.number().int(),
  occurredAt: z.number(),
  status: z.object({
    key: z.string().min(1).max(255),
    state: z.enum(["INPROGRESS", "SUCCESSFUL", "FAILED", "STOPPED"]),
    name: z.string().optional(),
    url: z.string().optional(),
    description: z.string().optional(),
    refname: z.string().optional(),
    buildNumber: z.string().max(255).optional(),
    durationMs: z.number().int().nonnegative().optional(),
  }),
});

/** Re-posts at most this many newer statuses that arrived while posting (see ReportedStatusStore). */
const MAX_CATCH_UP = 5;

/**
 * `buildkite.route`: one job per stored build event. Finds the repositories it reports to (explicit
 * mapping, else the pipeline's git URL), applies each repository's filters and enqueues one
 * `buildkite.report` per repository (which lists the delivery in that repository's activity log); a
 * repository whose filters skip the build is linked to the delivery, so the skip shows there too.
 *
 * `buildkite.report`: posts the status unless a newer event of the same key and commit was already
 * accepted (no regression), then confirms; Bitbucket 429/5xx are retried by the worker. On a host
 * that sends no commit-status webhooks (Data Center) each post is followed by the commit-status event
 * the app emits itself (`echoPostedStatus`), which build alerts consume as on Cloud.
 */
/**
 * Why a Data Center pipeline URL matched no enabled repository, when the URL says more than "no":
 * a repository of another configured instance (whose own inbound URL must be used), a repository
 * the app has not seen yet (it learns one from its settings, its events or its page: the same
 * limit as on Cloud), or one where Buildkite is off. Null for Cloud installations and other URLs.
 */
async function dataCenterUnmatched(
  installation: InstallationView,
  instances: ReadonlyArray<{ id: string; baseUrl: string; name: string }>,
  gitUrl: string,
): Promise<string | null> {
  const own = instances.find((i) => i.id === installation.hostScope);
  if (!own) return null;
  const here = parseDataCenterGitUrl(gitUrl, own.baseUrl);
  if (!here) {
    const other = instances.find((i) => i.id !== own.id && parseDataCenterGitUrl(gitUrl, i.baseUrl));
    return other ? `its repository is on the Data Center instance ${other.name}: send this pipeline's builds to that instance's inbound URL` : null;
  }
  const known = await repositories.findByDisplayName(installation.id, `${here.project}/${here.slug}`);
  if (!known) return `the app has not seen ${here.project.toUpperCase()}/${here.slug} yet: save its settings or send it an event first`;
  return `Buildkite is off for ${known.displayName}`;
}

export function registerBuildkiteHandlers(registry: HandlerRegistry, services: Services): void {
  const store = new ReportedStatusStore(services.db);
  // Build alerts' paging policy asks whether a FAILED status's build is still running (Buildkite `failing`).
  registerPhaseSource("buildkite", buildkitePhase);
  services.installations.onPurge((id) => store.purge(id));

  registry.on("buildkite:build", { name: "buildkite.route", integration: "buildkite" }, async (ctx) => {
    const build = ctx.payload;
    const pipeline = build.organization ? `${build.organization}/${build.pipeline.slug}` : build.pipeline.slug;
    const enabled = await ctx.services.settings.enabledRepositories(ctx.installation.id, "buildkite");
    const instances = ctx.services.config.dataCenter.instances;
    const selection = selectRepositories(build, enabled, cloneUrlMatcher(ctx.installation, instances));
    if (!selection.repositories.length) {
      ctx.log.info(
        { pipeline, pipelineRepo: build.pipeline.repo ? redactGitUrl(build.pipeline.repo) : null, build: build.number, eventId: build.eventId },
        "Buildkite build of a pipeline that no enabled repository matches: ignored",
      );
      const why = build.pipeline.repo ? await dataCenterUnmatched(ctx.installation, instances, build.pipeline.repo) : null;
      return { ignored: `no repository with Buildkite enabled matches pipeline ${pipeline}${why ? ` (${why})` : ""}` };
    }
    if (!isKnownState(build.state)) {
      for (const repo of selection.repositories) await ctx.linkRepository(repo.repositoryUuid);
      ctx.log.warn({ pipeline, build: build.number, state: build.state }, "Buildkite build state without a mapping: ignored");
      return { ignored: `build state "${build.state}" has no Bitbucket mapping` };
    }
    // Each repository's outcome is kept under its own id (`byRepository`): a repository's activity log
    // shows only its own part (src/web/api/activity-query.ts `ownPartOf`), never another's name.
    const byRepository: Record<string, { repository: string; reported: boolean; skipped?: string }> = {};
    let reported = 0;
    for (const repo of selection.repositories) {
      const name = repo.repositoryFullName ?? repo.repositoryUuid;
      const reason = skipReason(build, repo.settings);
      const status = reason ? null : statusFor(build, repo.settings.blockedAs, ctx.bitbucket.limits);
      if (!status) {
        byRepository[repo.repositoryUuid] = { repository: name, reported: false, skipped: reason ?? `state ${build.state} is not reported` };
        await ctx.linkRepository(repo.repositoryUuid); // the skip shows in that repository's activity log
        continue;
      }
      await ctx.enqueue(
        "buildkite.report",
        {
          eventId: build.eventId,
          repository: { uuid: repo.repositoryUuid, fullName: repo.repositoryFullName },
          commit: build.commit.toLowerCase(),
          buildNumber: build.number,
          buildState: build.state,
          rank: rankOf(build.state),
          occurredAt: build.occurredAt,
          status,
        },
        { dedupeKey: `buildkite.report:${ctx.delivery?.id ?? build.eventId}:${repo.repositoryUuid}`, repositoryUuid: repo.repositoryUuid },
      );
      byRepository[repo.repositoryUuid] = { repository: name, reported: true };
      reported++;
    }
    // Skipped everywhere: the reasons name the build, never a repository (each repository's log lists it).
    if (!reported) return { ignored: [...new Set(Object.values(byRepository).map((r) => r.skipped))].join("; ") };
    return { done: { pipeline, build: build.number, state: build.state, via: selection.via, reported, byRepository } };
  });

  registry.job("buildkite.report", { integration: "buildkite", requiresEnabled: true, schema: ReportJobSchema }, async (ctx) => {
    const job = ctx.payload;
    const slot = { installationId: ctx.installation.id, repositoryUuid: job.repository.uuid, commit: job.commit, key: job.status.key };
    const claim = await store.claim(slot, {
      eventId: job.eventId,
      buildNumber: job.buildNumber,
      buildState: job.buildState,
      rank: job.rank,
      occurredAt: job.occurredAt,
      status: job.status,
    });
    if (claim.kind === "duplicate") return { ignored: "this event was already reported" };
    if (claim.kind === "stale") {
      return { ignored: `older than build #${claim.current.buildNumber} (${claim.current.buildState}) already reported for this commit` };
    }
    const repo = { id: job.repository.uuid, fullName: job.repository.fullName };
    let eventId = job.eventId;
    let status = job.status;
    let reposted = 0;
    for (;;) {
      await ctx.bitbucket.postBuildStatus(repo, job.commit, status);
      // A host that sends no commit-status webhooks (Data Center) gets the event from the app itself.
      await echoPostedStatus(ctx.services, ctx.installation, repo, job.commit, status, eventId);
      const newer = await store.confirm(slot, eventId);
      if (!newer || reposted >= MAX_CATCH_UP) break;
      eventId = newer.eventId;
      status = newer.status;
      reposted++;
    }
    return { done: { commit: job.commit, key: status.key, state: status.state, build: job.buildNumber, ...(reposted ? { reposted } : {}) } };
  });
}
