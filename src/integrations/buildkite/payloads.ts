import { z } from "zod";
import type { BuildkiteBuild } from "./build-event";

/**
 * The two inbound shapes (reference: shared/reference/buildkite). Only the fields the app reads are
 * validated; everything else passes through. Timestamps inside the payloads are not used for ordering.
 */

/** EventBridge detail-types that describe a build (there is no "Build Scheduled" / "Build Running"). */
export const EVENTBRIDGE_BUILD_DETAIL_TYPES = ["Build Created", "Build Started", "Build Failing", "Build Blocked", "Build Finished"] as const;

/** Webhook events that describe a build (`build.skipped` too; `ping` is answered without storing). */
export const WEBHOOK_BUILD_EVENTS = ["build.scheduled", "build.running", "build.failing", "build.finished", "build.skipped"] as const;

const nullableString = z.string().nullable().optional();
/** Read leniently: a time in a form the app does not know only costs the status its duration. */
const buildkiteTime = z.unknown().optional();

export const EventBridgeEnvelopeSchema = z
  .object({
    id: z.string().min(1).max(255),
    "detail-type": z.string().min(1),
    source: z.string().min(1),
    time: z.string().optional(),
    detail: z.record(z.string(), z.unknown()),
  })
  .passthrough();

const EventBridgeBuildDetailSchema = z
  .object({
    build: z
      .object({
        uuid: z.string().optional(),
        number: z.number().int().nonnegative(),
        commit: z.string(),
        branch: nullableString,
        state: z.string().min(1).optional(),
        blocked_state: nullableString,
        source: nullableString,
        started_at: buildkiteTime,
        finished_at: buildkiteTime,
      })
      .passthrough(),
    pipeline: z.object({ slug: z.string().min(1), repo: nullableString }).passthrough(),
    organization: z.object({ slug: z.string().min(1) }).passthrough().optional(),
  })
  .passthrough();

export const WebhookBuildSchema = z
  .object({
    event: z.string().min(1),
    build: z
      .object({
        id: z.string().optional(),
        number: z.number().int().nonnegative(),
        state: z.string().min(1),
        commit: z.string(),
        branch: nullableString,
        source: nullableString,
        blocked: z.boolean().optional(),
        blocked_state: nullableString,
        web_url: nullableString,
        started_at: buildkiteTime,
        finished_at: buildkiteTime,
      })
      .passthrough(),
    pipeline: z
      .object({
        slug: z.string().min(1),
        name: nullableString,
        repository: nullableString,
        url: nullableString,
        web_url: nullableString,
      })
      .passthrough(),
  })
  .passthrough();

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function reasonOf(error: z.ZodError, what: string): string {
  const issue = error.issues[0];
  return `invalid ${what}: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim();
}

function isoTime(value: string | undefined, fallback: number): number {
  const t = value ? Date.parse(value) : NaN;
  return Number.isFinite(t) ? t : fallback;
}

const PASSED_OR_FAILED = new Set(["passed", "failed", "running"]);

/** `2019-08-11 06:01:16 UTC` (EventBridge `detail.build.*_at`) or ISO 8601 `2024-06-02T08:54:47.128Z` (REST, webhooks). */
const BUILDKITE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?\s*(Z|UTC|[+-]\d{2}:?\d{2})$/i;

/**
 * A Buildkite build timestamp as epoch ms, in either documented form (reference: buildkite
 * README §1 "Gotchas": EventBridge's `*_at` are `"… UTC"`, not ISO 8601; webhooks carry the REST
 * model's ISO form). Null for null, absent, or any other form.
 */
export function buildkiteTimeMs(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const m = BUILDKITE_TIME.exec(value.trim());
  if (!m) return null;
  const zone = m[4]!.toUpperCase() === "UTC" || m[4]!.toUpperCase() === "Z" ? "Z" : m[4]!.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const t = Date.parse(`${m[1]}T${m[2]}${m[3] ? m[3].slice(0, 4) : ""}${zone}`);
  return Number.isFinite(t) ? t : null;
}

/** Parses the build part of an EventBridge build event (envelope already parsed). */
export function buildFromEventBridge(envelope: z.infer<typeof EventBridgeEnvelopeSchema>, receivedAt: number): Parsed<BuildkiteBuild> {
  const parsed = EventBridgeBuildDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) return { ok: false, reason: reasonOf(parsed.error, "build event detail") };
  const { build, pipeline, organization } = parsed.data;
  const detailType = envelope["detail-type"];
  let state = (build.state ?? (detailType === "Build Blocked" ? "blocked" : "")).toLowerCase();
  if (!state) return { ok: false, reason: "invalid build event detail: build.state is missing" };
  if (state === "started") state = "running";
  const blockedState = build.blocked_state ? build.blocked_state.toLowerCase() : null;
  return {
    ok: true,
    value: {
      channel: "eventbridge",
      eventId: envelope.id,
      occurredAt: isoTime(envelope.time, receivedAt),
      organization: organization?.slug ?? orgFromSource(envelope.source),
      pipeline: { slug: pipeline.slug, name: null, repo: pipeline.repo ?? null },
      number: build.number,
      commit: build.commit.trim(),
      branch: build.branch ?? null,
      state,
      blockedState: state === "blocked" && blockedState && PASSED_OR_FAILED.has(blockedState) ? blockedState : null,
      source: build.source ?? null,
      webUrl: null,
      startedAt: buildkiteTimeMs(build.started_at),
      finishedAt: buildkiteTimeMs(build.finished_at),
    },
  };
}

/** `aws.partner/buildkite.com/<org-slug>/<id>` → org slug. */
function orgFromSource(source: string): string | null {
  const m = /^aws\.partner\/buildkite\.com\/([^/]+)\//.exec(source);
  return m ? m[1]! : null;
}

/** `https://buildkite.com/<org>/...` or `https://api.buildkite.com/v2/organizations/<org>/...` → org slug. */
function orgFromUrls(...urls: Array<string | null | undefined>): string | null {
  for (const u of urls) {
    if (!u) continue;
    const api = /\/v2\/organizations\/([^/]+)/.exec(u);
    if (api) return decodeURIComponent(api[1]!);
    const web = /^https:\/\/buildkite\.com\/([^/]+)\//.exec(u);
    if (web) return decodeURIComponent(web[1]!);
  }
  return null;
}

/**
 * Parses a webhook build event. A webhook's `build.state` can be later than its event name says
 * (Buildkite's caveat), so the state is taken from the body. Blocked builds come as `blocked: true`
 * with the state of the steps so far.
 */
export function buildFromWebhook(body: unknown, eventId: string, occurredAt: number): Parsed<BuildkiteBuild> {
  const parsed = WebhookBuildSchema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: reasonOf(parsed.error, "webhook body") };
  const { build, pipeline } = parsed.data;
  let state = build.state.toLowerCase();
  let blockedState: string | null = null;
  if (state === "blocked" || build.blocked === true) {
    const before = (build.blocked_state || (state !== "blocked" ? state : "")).toLowerCase();
    blockedState = PASSED_OR_FAILED.has(before) ? before : null;
    state = "blocked";
  }
  return {
    ok: true,
    value: {
      channel: "webhook",
      eventId,
      occurredAt,
      organization: orgFromUrls(build.web_url, pipeline.url, pipeline.web_url),
      pipeline: { slug: pipeline.slug, name: pipeline.name ?? null, repo: pipeline.repository ?? null },
      number: build.number,
      commit: build.commit.trim(),
      branch: build.branch ?? null,
      state,
      blockedState,
      source: build.source ?? null,
      webUrl: build.web_url ?? null,
      startedAt: buildkiteTimeMs(build.started_at),
      finishedAt: buildkiteTimeMs(build.finished_at),
    },
  };
}
