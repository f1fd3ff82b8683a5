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
const BUILDKITE = "https://buildkite.com/";

/**
 * The link of a build's status, at most `urlMax` characters (`BitbucketApi.limits.statusUrlMax`:
 * Data Center 450, Cloud unlimited). The first that fits of: the build's page
 * `https://buildkite.com/<org>/<pipeline>/builds/<n>` (the REST `web_url` form), the webhook's own
 * `web_url` (https only), the organization's page, Buildkite's home. A URL is never cut (a cut link
 * leads to a wrong or missing page) and never dropped when a host requires one (Data Center refuses a
 * status without a URL, so the build's state would not show at all): with a pipeline slug too long
 * for the host, the status still carries the state, and its name the pipeline and build number.
 * Undefined only when Buildkite gave neither an organization nor a web URL.
 */
export function buildUrl(build: Pick<BuildkiteBuild, "organization" | "pipeline" | "number" | "webUrl">, urlMax = Number.POSITIVE_INFINITY): string | undefined {
  const org = build.organization && SLUG.test(build.organization) ? build.organization : null;
  const candidates = [
    org && SLUG.test(build.pipeline.slug) ? `${BUILDKITE}${encodeURIComponent(org)}/${encodeURIComponent(build.pipeline.slug)}/builds/${build.number}` : null,
    build.webUrl && build.webUrl.startsWith("https://") ? build.webUrl : null,
  ];
  if (!candidates.some(Boolean)) return undefined;
  candidates.push(org ? `${BUILDKITE}${encodeURIComponent(org)}` : null, BUILDKITE);
  return candidates.find((u): u is string => typeof u === "string" && u.length <= urlMax);
}

/**
 * How long a build that has ended ran (`finished_at` − `started_at`, ms), or undefined: while it
 * runs (a Buildkite phase other than finished, or reported INPROGRESS, e.g. a build blocked while its
 * steps still run), when it never started (canceled or skipped before an agent took it), or when
 * either time is missing or out of order. Data Center shows it as the build's duration.
 */
export function buildDurationMs(build: Pick<BuildkiteBuild, "state" | "startedAt" | "finishedAt">, state: BuildState): number | undefined {
  if (state === "INPROGRESS" || phaseOfBuildState(build.state) !== "finished") return undefined;
  const { startedAt, finishedAt } = build;
  if (typeof startedAt !== "number" || typeof finishedAt !== "number" || finishedAt < startedAt) return undefined;
  return finishedAt - startedAt;
}

/**
 * The status body for a build, or null when its state has no mapping: key fitted to
 * `limits.statusKeyMax` and URL to `limits.statusUrlMax` characters (`BitbucketApi.limits`), the
 * build number as text, and the duration in ms once the build has ended (`buildDurationMs`). Hosts
 * that have no field for the number or the duration leave them out (see `BuildStatusReport`).
 */
export function statusFor(build: BuildkiteBuild, blockedAs: BuildkiteSettings["blockedAs"], limits: { statusKeyMax: number; statusUrlMax: number }): BuildStatusReport | null {
  const state = bitbucketState(build, blockedAs);
  if (!state) return null;
  const status: BuildStatusReport = {
    key: statusKey(build.pipeline.slug, limits.statusKeyMax),
    state,
    name: `Buildkite: ${build.pipeline.slug} #${build.number}`,
    description: DESCRIPTION[build.state] ?? `Build ${build.state}`,
  };
  const url = buildUrl(build, limits.statusUrlMax);
  if (url) status.url = url;
  if (build.branch) status.refname = build.branch;
  status.buildNumber = String(build.number);
  const durationMs = buildDurationMs(build, state);
  if (durationMs !== undefined) status.durationMs = durationMs;
  return status;
}
