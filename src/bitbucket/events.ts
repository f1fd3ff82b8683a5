import { z } from "zod";

/**
 * The Bitbucket events the app subscribes to, with the payload fields it reads validated at the
 * door (unknown fields pass through untouched). Shapes from the real payloads in
 * shared/reference/bitbucket/webhooks/cloud.
 */
const Link = z.object({ href: z.string() }).passthrough();
const Account = z
  .object({
    uuid: z.string().optional(),
    account_id: z.string().optional(),
    display_name: z.string().optional(),
    nickname: z.string().optional(),
    links: z.object({ avatar: Link.optional(), html: Link.optional() }).passthrough().optional(),
  })
  .passthrough();

export const RepositorySchema = z
  .object({
    uuid: z.string().min(1),
    full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "full_name must be workspace/slug"),
    name: z.string().optional(),
    workspace: z.object({ uuid: z.string().optional(), slug: z.string().optional() }).passthrough().optional(),
    mainbranch: z.object({ name: z.string() }).passthrough().optional(),
  })
  .passthrough();
export type RepositoryPayload = z.infer<typeof RepositorySchema>;

const PushTarget = z.object({ hash: z.string(), type: z.string().optional() }).passthrough();
const PushRef = z
  .object({ name: z.string(), type: z.string(), target: PushTarget.optional() })
  .passthrough()
  .nullable();

export const RepoPushSchema = z
  .object({
    repository: RepositorySchema,
    actor: Account.optional(),
    push: z.object({
      changes: z.array(
        z
          .object({
            old: PushRef.optional(),
            new: PushRef.optional(),
            created: z.boolean().optional(),
            closed: z.boolean().optional(),
            forced: z.boolean().optional(),
            truncated: z.boolean().optional(),
          })
          .passthrough(),
      ),
    }),
  })
  .passthrough();
export type RepoPushPayload = z.infer<typeof RepoPushSchema>;

const Participant = z
  .object({
    user: Account.optional(),
    role: z.string().optional(),
    approved: z.boolean().optional(),
    state: z.string().nullable().optional(),
  })
  .passthrough();

export const PullRequestSchema = z
  .object({
    id: z.number().int(),
    title: z.string().optional(),
    state: z.string().optional(),
    draft: z.boolean().optional(),
    author: Account.optional(),
    created_on: z.string().optional(),
    updated_on: z.string().optional(),
    source: z
      .object({
        branch: z.object({ name: z.string() }).passthrough().optional(),
        commit: z.object({ hash: z.string() }).passthrough().nullable().optional(),
      })
      .passthrough()
      .optional(),
    destination: z
      .object({ branch: z.object({ name: z.string() }).passthrough().optional() })
      .passthrough()
      .optional(),
    reviewers: z.array(Account).optional(),
    participants: z.array(Participant).optional(),
    links: z.object({ html: Link.optional() }).passthrough().optional(),
  })
  .passthrough();

export const PullRequestEventSchema = z
  .object({ repository: RepositorySchema, actor: Account.optional(), pullrequest: PullRequestSchema })
  .passthrough();
export type PullRequestEventPayload = z.infer<typeof PullRequestEventSchema>;

export const CommitStatusSchema = z
  .object({
    key: z.string(),
    state: z.enum(["INPROGRESS", "SUCCESSFUL", "FAILED", "STOPPED"]),
    name: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    url: z.string().nullable().optional(),
    refname: z.string().nullable().optional(),
    type: z.string().optional(),
    created_on: z.string().optional(),
    updated_on: z.string().optional(),
    commit: z.object({ hash: z.string() }).passthrough().optional(),
    links: z.object({ commit: Link.optional(), self: Link.optional() }).passthrough().optional(),
  })
  .passthrough();

export const CommitStatusEventSchema = z
  .object({ repository: RepositorySchema, actor: Account.optional(), commit_status: CommitStatusSchema })
  .passthrough();
export type CommitStatusEventPayload = z.infer<typeof CommitStatusEventSchema>;

/** The commit a status belongs to: `commit.hash` when present, else the last segment of links.commit. */
export function commitOfStatus(status: CommitStatusEventPayload["commit_status"]): string | undefined {
  if (status.commit?.hash) return status.commit.hash;
  const href = status.links?.commit?.href;
  return href ? href.split("/").filter(Boolean).pop() : undefined;
}

export const BITBUCKET_EVENT_SCHEMAS = {
  "repo:push": RepoPushSchema,
  "pullrequest:created": PullRequestEventSchema,
  "pullrequest:updated": PullRequestEventSchema,
  "pullrequest:approved": PullRequestEventSchema,
  "pullrequest:unapproved": PullRequestEventSchema,
  "pullrequest:changes_request_created": PullRequestEventSchema,
  "pullrequest:changes_request_removed": PullRequestEventSchema,
  "pullrequest:fulfilled": PullRequestEventSchema,
  "pullrequest:rejected": PullRequestEventSchema,
  "repo:commit_status_created": CommitStatusEventSchema,
  "repo:commit_status_updated": CommitStatusEventSchema,
} as const;

export type BitbucketEventKey = keyof typeof BITBUCKET_EVENT_SCHEMAS;

/** The pull request events the app subscribes to. */
export const PULL_REQUEST_EVENT_KEYS = [
  "pullrequest:created",
  "pullrequest:updated",
  "pullrequest:approved",
  "pullrequest:unapproved",
  "pullrequest:changes_request_created",
  "pullrequest:changes_request_removed",
  "pullrequest:fulfilled",
  "pullrequest:rejected",
] as const satisfies readonly BitbucketEventKey[];

export const COMMIT_STATUS_EVENT_KEYS = ["repo:commit_status_created", "repo:commit_status_updated"] as const satisfies readonly BitbucketEventKey[];
export const BITBUCKET_EVENT_KEYS = Object.keys(BITBUCKET_EVENT_SCHEMAS) as BitbucketEventKey[];

export type BitbucketEventPayloads = { [K in BitbucketEventKey]: z.infer<(typeof BITBUCKET_EVENT_SCHEMAS)[K]> };

export function isBitbucketEventKey(key: string): key is BitbucketEventKey {
  return Object.prototype.hasOwnProperty.call(BITBUCKET_EVENT_SCHEMAS, key);
}

export type ParseResult<T> = { ok: true; payload: T } | { ok: false; reason: string };

/** Validates a webhook body for an event key; the reason is short enough for a 400 answer. */
export function parseBitbucketEvent<K extends BitbucketEventKey>(key: K, body: unknown): ParseResult<BitbucketEventPayloads[K]> {
  const parsed = BITBUCKET_EVENT_SCHEMAS[key].safeParse(body);
  if (parsed.success) return { ok: true, payload: parsed.data as BitbucketEventPayloads[K] };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `invalid ${key} payload: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim() };
}
