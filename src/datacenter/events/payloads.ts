import { z } from "zod";

/**
 * Bitbucket Data Center webhook bodies, with the fields the app reads validated (unknown fields pass
 * through). Shapes: reference datacenter-app.md §3 and the samples in
 * test/fixtures/bitbucket/webhooks/datacenter/ (Atlassian's Jenkins plugin, go-playground/webhooks).
 */
const DcLinks = z.object({ self: z.array(z.object({ href: z.string() }).passthrough()).optional() }).passthrough();

export const DcUserSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    slug: z.string(),
    displayName: z.string().optional(),
    emailAddress: z.string().optional(),
    type: z.string().optional(),
    links: DcLinks.optional(),
  })
  .passthrough();
export type DcUser = z.infer<typeof DcUserSchema>;

export const DcRepositorySchema = z
  .object({
    id: z.number().int().positive(),
    slug: z.string().min(1),
    name: z.string().optional(),
    scmId: z.string().optional(),
    project: z.object({ key: z.string().min(1), id: z.number().int().optional(), name: z.string().optional(), type: z.string().optional() }).passthrough(),
    links: DcLinks.optional(),
  })
  .passthrough();
export type DcRepository = z.infer<typeof DcRepositorySchema>;

/** A commit id: hex as DC writes it (40 for SHA-1 repositories; up to 64). Not checked further: fixtures carry odd ones. */
const Hash = z.string().min(1).max(64);

const DcRef = z
  .object({ id: z.string().min(1), displayId: z.string().optional(), latestCommit: Hash.optional(), repository: DcRepositorySchema })
  .passthrough();

export const DcParticipantSchema = z
  .object({
    user: DcUserSchema,
    role: z.string().optional(),
    approved: z.boolean().optional(),
    status: z.string().optional(),
    lastReviewedCommit: z.string().optional(),
  })
  .passthrough();
export type DcParticipant = z.infer<typeof DcParticipantSchema>;

export const DcPullRequestSchema = z
  .object({
    id: z.number().int(),
    version: z.number().int().optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    state: z.string().optional(),
    draft: z.boolean().optional(),
    createdDate: z.number().optional(),
    updatedDate: z.number().optional(),
    closedDate: z.number().optional(),
    fromRef: DcRef,
    toRef: DcRef,
    author: DcParticipantSchema.optional(),
    reviewers: z.array(DcParticipantSchema).optional(),
    participants: z.array(DcParticipantSchema).optional(),
    properties: z.object({ mergeCommit: z.object({ id: Hash }).passthrough().optional() }).passthrough().optional(),
    links: DcLinks.optional(),
  })
  .passthrough();
export type DcPullRequest = z.infer<typeof DcPullRequestSchema>;

const Envelope = { eventKey: z.string().optional(), date: z.string().optional(), actor: DcUserSchema.optional() };

export const DcRefChangeSchema = z
  .object({
    ref: z.object({ id: z.string().min(1), displayId: z.string().optional(), type: z.string().optional() }).passthrough(),
    refId: z.string().optional(),
    fromHash: Hash,
    toHash: Hash,
    type: z.enum(["ADD", "UPDATE", "DELETE"]),
  })
  .passthrough();
export type DcRefChange = z.infer<typeof DcRefChangeSchema>;

export const DcRefsChangedSchema = z.object({ ...Envelope, repository: DcRepositorySchema, changes: z.array(DcRefChangeSchema).min(1) }).passthrough();
export type DcRefsChanged = z.infer<typeof DcRefsChangedSchema>;

export const DcPullRequestEventSchema = z
  .object({
    ...Envelope,
    pullRequest: DcPullRequestSchema,
    participant: DcParticipantSchema.optional(),
    previousStatus: z.string().optional(),
    addedReviewers: z.array(DcUserSchema).optional(),
    removedReviewers: z.array(DcUserSchema).optional(),
  })
  .passthrough();
export type DcPullRequestEvent = z.infer<typeof DcPullRequestEventSchema>;

/**
 * The DC event keys the app registers and receives (accepted by a live 10.4.3: datacenter-app.md §2;
 * the "changes requested" key is `pr:reviewer:needs_work`, §0.1), with their body schemas.
 */
export const DC_EVENT_SCHEMAS = {
  "repo:refs_changed": DcRefsChangedSchema,
  "pr:opened": DcPullRequestEventSchema,
  "pr:from_ref_updated": DcPullRequestEventSchema,
  "pr:modified": DcPullRequestEventSchema,
  "pr:reviewer:approved": DcPullRequestEventSchema,
  "pr:reviewer:unapproved": DcPullRequestEventSchema,
  "pr:reviewer:needs_work": DcPullRequestEventSchema,
  "pr:reviewer:updated": DcPullRequestEventSchema,
  "pr:merged": DcPullRequestEventSchema,
  "pr:declined": DcPullRequestEventSchema,
  "pr:deleted": DcPullRequestEventSchema,
} as const;

export type DcEventKey = keyof typeof DC_EVENT_SCHEMAS;
export const DC_EVENT_KEYS = Object.keys(DC_EVENT_SCHEMAS) as DcEventKey[];
export type DcEventPayloads = { [K in DcEventKey]: z.infer<(typeof DC_EVENT_SCHEMAS)[K]> };

/**
 * The DC pull request events as stored (before translation): an ingest hook that must act when the
 * delivery is acknowledged (the review radar's cache) lists these, as it lists Forge's raw events.
 */
export const DC_PULL_REQUEST_EVENT_KEYS = DC_EVENT_KEYS.filter((k) => k.startsWith("pr:"));

/** The delivery source of everything the Data Center door stores: DC's events and the core events translated from them. */
export const DC_DELIVERY_SOURCE = "datacenter";

/** DC's "Test connection" request: unsigned, body `{"test": true}` (datacenter-app.md §0.2). */
export const DC_PING_EVENT = "diagnostics:ping";

declare module "../../pipeline/events" {
  // Stored as received, then translated into the core's (Bitbucket Cloud webhook) events.
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface EventMap extends DcEventPayloads {}
}

export function isDcEventKey(key: string): key is DcEventKey {
  return Object.prototype.hasOwnProperty.call(DC_EVENT_SCHEMAS, key);
}

/** The repository a DC event belongs to: `repository`, or the pull request's target repository (where its webhook fires). */
export function repositoryOfDcEvent(payload: DcRefsChanged | DcPullRequestEvent): DcRepository {
  const pr = (payload as DcPullRequestEvent).pullRequest as DcPullRequest | undefined;
  return pr ? pr.toRef.repository : (payload as DcRefsChanged).repository;
}

export type DcParseResult<K extends DcEventKey> = { ok: true; payload: DcEventPayloads[K] } | { ok: false; reason: string };

/** Validates a DC webhook body for its event key; the reason is short enough for a 400 answer. */
export function parseDcEvent<K extends DcEventKey>(key: K, body: unknown): DcParseResult<K> {
  const parsed = DC_EVENT_SCHEMAS[key].safeParse(body);
  if (parsed.success) return { ok: true, payload: parsed.data as DcEventPayloads[K] };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `invalid ${key} payload: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim() };
}
