import { createHash } from "node:crypto";
import type { BuildStatusReport, BuildState } from "../../bitbucket/host-api";
import type { BuildkiteBuild } from "./build-event";
import type { BuildkiteSettings } from "./settings";

/**
 * Buildkite build state → Bitbucket build status (host-neutral states; STOPPED is Data Center's CANCELLED).
 *
 * | Buildkite state                  | Bitbucket  | why |
 * |----------------------------------|------------|-----|
 * | creating, scheduled, waiting     | INPROGRESS | queued counts as under way |
 * | started (EventBridge), running   | INPROGRESS | |
 * | failing                          | FAILED     | a job failed; Buildkite's own notifications report failure here. A retried job moves the build forward again |
 * | waiting_failed                   | FAILED     | waiting after a failure |
 * | passed                           | SUCCESSFUL | |
 * | failed                           | FAILED     | |
 * | canceling, canceled              | STOPPED    | stopped by a person or a timeout: not a failure of the code |
 * | blocked                          | setting `blockedAs`, default SUCCESSFUL | the steps before the block step passed (Buildkite's default for GitHub statuses); INPROGRESS would hold merge checks until someone unblocks. If the steps before the block failed → FAILED, still running → INPROGRESS |
 * | skipped                          | STOPPED    | superseded by a newer build of the branch: neither a pass nor a failure |
 * | not_run                          | STOPPED    | every step was skipped: nothing was verified, so not SUCCESSFUL |
 *
 * Unknown states are not reported (the job is ignored with the state as reason).
 */
const STATE_MAP: Record<string, BuildState> = {
  creating: "INPROGRESS",
  scheduled: "INPROGRESS",
  waiting: "INPROGRESS",
  running: "INPROGRESS",
  failing: "FAILED",
  waiting_failed: "FAILED",
  passed: "SUCCESSFUL",
  failed: "FAILED",
  canceling: "STOPPED",
  canceled: "STOPPED",
  cancelled: "STOPPED",
  skipped: "STOPPED",
  not_run: "STOPPED",
};

/**
 * Where a state sits in a build's lifecycle, the tie-breaker between two events of the same build
 * and the same time (the no-regression rule compares build number, then event time, then rank).
 */
const RANK: Record<string, number> = {
  creating: 0,
  scheduled: 0,
  waiting: 0,
  running: 1,
  failing: 2,
  waiting_failed: 2,
  blocked: 2,
  canceling: 2,
  passed: 3,
  failed: 3,
  canceled: 3,
  cancelled: 3,
  skipped: 3,
  not_run: 3,
};

const DESCRIPTION: Record<string, string> = {
  creating: "Build is being created",
  scheduled: "Build scheduled",
  waiting: "Build waiting",
  running: "Build running",
  failing: "Build failing",
  waiting_failed: "Build failed, waiting",
  blocked: "Build blocked, waiting to be unblocked",
  canceling: "Build canceling",
  passed: "Build passed",
  failed: "Build failed",
  canceled: "Build canceled",
  cancelled: "Build canceled",
  skipped: "Build skipped",
  not_run: "Build not run: every step was skipped",
};

/**
 * Buildkite states in which the build has ended: nothing runs until someone acts (a `blocked` build
 * waits at a block step). `failing` (a job failed, others still running), `waiting_failed` and
 * `canceling` are still running.
 */
const FINISHED = new Set(["passed", "failed", "canceled", "cancelled", "skipped", "not_run", "blocked"]);

export function phaseOfBuildState(state: string): "running" | "finished" {
  return FINISHED.has(state) ? "finished" : "running";
}

/** The Buildkite state whose status description this is (the app writes DESCRIPTION), or null. */
export function buildStateOfDescription(description: string): string | null {
  return Object.entries(DESCRIPTION).find(([, d]) => d === description)?.[0] ?? null;
}

export function isKnownState(state: string): boolean {
  return state === "blocked" || state in STATE_MAP;
}

export function rankOf(state: string): number {
  return RANK[state] ?? 0;
}

export function bitbucketState(build: Pick<BuildkiteBuild, "state" | "blockedState">, blockedAs: BuildkiteSettings["blockedAs"]): BuildState | null {
  if (build.state === "blocked") {
    if (build.blockedState === "failed") return "FAILED";
    if (build.blockedState === "running") return "INPROGRESS";
    return blockedAs;
  }
  return STATE_MAP[build.state] ?? null;
}

/**
 * The status key: one per pipeline, so that later builds and rebuilds of the pipeline overwrite the
 * status on a commit. `buildkite-<slug>` when it fits the host's key limit (`keyMax`, from
 * `BitbucketApi.limits.statusKeyMax`: Cloud 40, Data Center 255), else `buildkite-` and as much of
 * the slug's sha256 hex as fits (at most 64 characters).
 */
export function statusKey(pipelineSlug: string, keyMax: number): string {
  const plain = `buildkite-${pipelineSlug}`;
  if (plain.length <= keyMax && /^[A-Za-z0-9._-]+$/.test(pipelineSlug)) return plain;
  return `buildkite-${createHash("sha256").update(pipelineSlug).digest("hex").slice(0, keyMax - "buildkite-".length)}`;
}

const SLUG = /^[a-z0-9][a-z0-9_.-]*$/i;

export function buildUrl(build: Pick<BuildkiteBuild, "organization" | "pipeline" | "number" | "webUrl">): string | undefined {
  if (build.organization && SLUG.test(build.organization) && SLUG.test(build.pipeline.slug)) {
    return `https://buildkite.com/${encodeURIComponent(build.organization)}/${encodeURIComponent(build.pipeline.slug)}/builds/${build.number}`;
  }
  return build.webUrl && build.webUrl.startsWith("https://") ? build.webUrl : undefined;
}

/** The status body for a build (key fitted to `keyMax` characters), or null when its state has no mapping. */
export function statusFor(build: BuildkiteBuild, blockedAs: BuildkiteSettings["blockedAs"], keyMax: number): BuildStatusReport | null {
  const state = bitbucketState(build, blockedAs);
  if (!state) return null;
  const status: BuildStatusReport = {
    key: statusKey(build.pipeline.slug, keyMax),
    state,
    name: `Buildkite: ${build.pipeline.slug} #${build.number}`,
    description: DESCRIPTION[build.state] ?? `Build ${build.state}`,
  };
  const url = buildUrl(build);
  if (url) status.url = url;
  if (build.branch) status.refname = build.branch;
  return status;
}
