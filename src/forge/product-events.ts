import { z } from "zod";

/**
 * Bitbucket product events Forge delivers to the remote (`avi:bitbucket:*`), validated at the door.
 * They are slim and id-based (uuids, no slugs or full names; one ref per push); the translate job
 * turns them into the webhook payloads the integrations read. Shapes:
 * shared/reference/forge/events/bitbucket-events.json and its docs examples.
 */
const Actor = z
  .object({ type: z.string().optional(), accountId: z.string().optional(), uuid: z.string().optional() })
  .passthrough();
const TruncatedValue = z.object({ value: z.string(), truncated: z.boolean().optional() }).passthrough();
const Uuid = z.string().regex(/^\{?[0-9a-fA-F-]{32,36}\}?$/, "must be a uuid");

const Base = {
  timestamp: z.string().optional(),
  selfGenerated: z.boolean().optional(),
  actor: Actor.optional(),
  repository: z.object({ uuid: Uuid, slug: z.string().optional() }).passthrough(),
  workspace: z.object({ uuid: Uuid }).passthrough(),
  project: z.object({ uuid: z.string() }).passthrough().optional(),
};

const Commit = z
  .object({
    hash: z.string().min(7),
    message: TruncatedValue.optional(),
    date: z.string().optional(),
    author: z.object({ user: Actor.optional() }).passthrough().optional(),
  })
  .passthrough();

export const ForgePushSchema = z
  .object({
    ...Base,
    eventType: z.literal("avi:bitbucket:push:repository"),
    push: z
      .object({
        ref: z.string().min(1),
        mainbranch: z.boolean().optional(),
        before: z.string().optional(),
        after: z.string().optional(),
        created: z.boolean().optional(),
        closed: z.boolean().optional(),
        forced: z.boolean().optional(),
        truncated: z.boolean().optional(),
        commits: z.array(Commit).optional(),
        date: z.string().optional(),
        message: TruncatedValue.optional(),
        author: z.object({ user: Actor.optional() }).passthrough().optional(),
      })
      .passthrough(),
  })
  .passthrough();

const PullRequestRef = z.object({ id: z.number().int().positive() }).passthrough();

export const ForgePullRequestSchema = z
  .object({
    ...Base,
    eventType: z.enum([
      "avi:bitbucket:created:pullrequest",
      "avi:bitbucket:updated:pullrequest",
      "avi:bitbucket:fulfilled:pullrequest",
      "avi:bitbucket:rejected:pullrequest",
    ]),
    pullrequest: PullRequestRef,
  })
  .passthrough();

export const ForgeReviewerStatusSchema = z
  .object({
    ...Base,
    eventType: z.literal("avi:bitbucket:updated:pullrequest-reviewer-status"),
    pullrequest: PullRequestRef,
    reviewers: z
      .object({
        value: z.array(z.object({ user: Actor, status: z.string().nullable().optional(), timestamp: z.string().optional() }).passthrough()),
        truncated: z.boolean().optional(),
      })
      .passthrough(),
  })
  .passthrough();

export const ForgeBuildStatusSchema = z
  .object({
    ...Base,
    eventType: z.enum(["avi:bitbucket:created:build-status", "avi:bitbucket:updated:build-status"]),
    buildStatus: z
      .object({
        key: z.string().min(1),
        state: z.enum(["INPROGRESS", "SUCCESSFUL", "FAILED", "STOPPED"]),
        name: z.string().nullable().optional(),
        description: z.string().nullable().optional(),
        url: z.string().nullable().optional(),
        commit: z.object({ hash: z.string().min(7) }).passthrough(),
        createdOn: z.string().optional(),
        updatedOn: z.string().optional(),
        refName: z.string().nullable().optional(),
      })
      .passthrough(),
  })
  .passthrough();

export const FORGE_EVENT_SCHEMAS = {
  "avi:bitbucket:push:repository": ForgePushSchema,
  "avi:bitbucket:created:pullrequest": ForgePullRequestSchema,
  "avi:bitbucket:updated:pullrequest": ForgePullRequestSchema,
  "avi:bitbucket:fulfilled:pullrequest": ForgePullRequestSchema,
  "avi:bitbucket:rejected:pullrequest": ForgePullRequestSchema,
  "avi:bitbucket:updated:pullrequest-reviewer-status": ForgeReviewerStatusSchema,
  "avi:bitbucket:created:build-status": ForgeBuildStatusSchema,
  "avi:bitbucket:updated:build-status": ForgeBuildStatusSchema,
} as const;

export type ForgeEventType = keyof typeof FORGE_EVENT_SCHEMAS;
export const FORGE_EVENT_TYPES = Object.keys(FORGE_EVENT_SCHEMAS) as ForgeEventType[];

export type ForgePushEvent = z.infer<typeof ForgePushSchema>;
export type ForgePullRequestEvent = z.infer<typeof ForgePullRequestSchema>;
export type ForgeReviewerStatusEvent = z.infer<typeof ForgeReviewerStatusSchema>;
export type ForgeBuildStatusEvent = z.infer<typeof ForgeBuildStatusSchema>;
export type ForgeProductEvent = ForgePushEvent | ForgePullRequestEvent | ForgeReviewerStatusEvent | ForgeBuildStatusEvent;

declare module "../pipeline/events" {
  interface EventMap {
    "avi:bitbucket:push:repository": ForgePushEvent;
    "avi:bitbucket:created:pullrequest": ForgePullRequestEvent;
    "avi:bitbucket:updated:pullrequest": ForgePullRequestEvent;
    "avi:bitbucket:fulfilled:pullrequest": ForgePullRequestEvent;
    "avi:bitbucket:rejected:pullrequest": ForgePullRequestEvent;
    "avi:bitbucket:updated:pullrequest-reviewer-status": ForgeReviewerStatusEvent;
    "avi:bitbucket:created:build-status": ForgeBuildStatusEvent;
    "avi:bitbucket:updated:build-status": ForgeBuildStatusEvent;
  }
}

export function isForgeEventType(v: unknown): v is ForgeEventType {
  return typeof v === "string" && Object.prototype.hasOwnProperty.call(FORGE_EVENT_SCHEMAS, v);
}

export type ParsedForgeEvent = { ok: true; event: ForgeProductEvent } | { ok: false; reason: string };

/**
 * The event of a delivery body. The HTTP envelope Forge uses for remotes is not documented in full:
 * the retry example nests the event under `payload`, so `body.payload` is read, else the body itself.
 * `retryContext` (Forge's redelivery bookkeeping) is dropped so a redelivery is the same event.
 */
export function parseForgeEvent(body: unknown): ParsedForgeEvent {
  const outer = body && typeof body === "object" ? (body as Record<string, unknown>) : null;
  if (!outer) return { ok: false, reason: "event body must be a JSON object" };
  const inner = outer.payload && typeof outer.payload === "object" ? (outer.payload as Record<string, unknown>) : outer;
  const { retryContext: _retry, ...event } = inner;
  const type = event.eventType;
  if (typeof type !== "string") return { ok: false, reason: "event has no eventType" };
  if (!isForgeEventType(type)) return { ok: false, reason: `unsupported event ${type.slice(0, 80)}` };
  const parsed = FORGE_EVENT_SCHEMAS[type].safeParse(event);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `invalid ${type} event: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim() };
}
