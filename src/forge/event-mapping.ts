import type { BitbucketEventKey } from "../bitbucket/events";
import type {
  ForgeBuildStatusEvent,
  ForgeProductEvent,
  ForgePullRequestEvent,
  ForgePushEvent,
  ForgeReviewerStatusEvent,
} from "./product-events";

/**
 * Pure mapping of Forge product events onto the Bitbucket webhook event keys and payload shapes the
 * integrations already read (shared/reference/bitbucket/webhooks/cloud). Forge events only carry
 * ids, so the caller passes the repository (and pull request / status) fetched from the REST API,
 * whose representations are those webhooks embed.
 */
export type ApiObject = Record<string, unknown>;
export interface ApiRepository extends ApiObject {
  uuid: string;
  full_name: string;
}
export interface ApiPullRequest extends ApiObject {
  id: number;
  participants?: Array<{ user?: ApiObject & { uuid?: string } } & ApiObject>;
}

export interface MappedEvent {
  eventKey: BitbucketEventKey;
  payload: ApiObject;
  /** Distinguishes the events one Forge delivery maps to (idempotency key suffix). */
  suffix: string;
}

type Actor = ForgeProductEvent["actor"];

/** A Forge actor `{type, accountId, uuid}` as a webhook account `{type, account_id, uuid}`. */
export function webhookAccount(actor: Actor): ApiObject | undefined {
  if (!actor) return undefined;
  const out: ApiObject = { type: actor.type ?? "user" };
  if (actor.uuid) out.uuid = actor.uuid;
  if (actor.accountId) out.account_id = actor.accountId;
  return out;
}

/** Where the event came from, kept beside the webhook fields (integrations may ignore it). */
function origin(ev: ForgeProductEvent): ApiObject {
  return { eventType: ev.eventType, selfGenerated: ev.selfGenerated ?? false, timestamp: ev.timestamp ?? null };
}

function envelope(ev: ForgeProductEvent, repo: ApiRepository): ApiObject {
  const out: ApiObject = { repository: repo, forge: origin(ev) };
  const actor = webhookAccount(ev.actor);
  if (actor) out.actor = actor;
  return out;
}

/** `refs/heads/x` → branch x, `refs/tags/x` → tag x; a bare ref is a branch when the push carries commits. */
function refOf(push: ForgePushEvent["push"]): { name: string; type: "branch" | "tag" } {
  if (push.ref.startsWith("refs/heads/")) return { name: push.ref.slice(11), type: "branch" };
  if (push.ref.startsWith("refs/tags/")) return { name: push.ref.slice(10), type: "tag" };
  const isBranch = push.mainbranch !== undefined || push.commits !== undefined;
  return { name: push.ref, type: isBranch ? "branch" : "tag" };
}

type ForgeCommit = NonNullable<ForgePushEvent["push"]["commits"]>[number];

function webhookCommit(c: ForgeCommit): ApiObject {
  const out: ApiObject = { type: "commit", hash: c.hash };
  if (c.message) out.message = c.message.value;
  if (c.date) out.date = c.date;
  const user = webhookAccount(c.author?.user);
  if (user) out.author = { type: "author", user };
  return out;
}

/** One Forge push (one ref) → `repo:push` with one change, as the webhook sends per ref. */
export function mapPush(ev: ForgePushEvent, repo: ApiRepository): MappedEvent {
  const { push } = ev;
  const ref = refOf(push);
  const commits = (push.commits ?? []).map(webhookCommit);
  const head = push.commits?.find((c) => c.hash === push.after);
  const newTarget: ApiObject = head ? webhookCommit(head) : { type: "commit", hash: push.after };
  if (!head && push.message) newTarget.message = push.message.value;
  if (!head && push.date) newTarget.date = push.date;
  const change: ApiObject = {
    old: push.before ? { name: ref.name, type: ref.type, target: { type: "commit", hash: push.before } } : null,
    new: push.after && !push.closed ? { name: ref.name, type: ref.type, target: newTarget } : null,
    created: push.created ?? !push.before,
    closed: push.closed ?? false,
    forced: push.forced ?? false,
    truncated: push.truncated ?? false,
    commits,
  };
  return { eventKey: "repo:push", payload: { ...envelope(ev, repo), push: { changes: [change] } }, suffix: "push" };
}

const PR_EVENT_KEYS = {
  "avi:bitbucket:created:pullrequest": "pullrequest:created",
  "avi:bitbucket:updated:pullrequest": "pullrequest:updated",
  "avi:bitbucket:fulfilled:pullrequest": "pullrequest:fulfilled",
  "avi:bitbucket:rejected:pullrequest": "pullrequest:rejected",
} as const satisfies Record<ForgePullRequestEvent["eventType"], BitbucketEventKey>;

export function mapPullRequest(ev: ForgePullRequestEvent, repo: ApiRepository, pr: ApiPullRequest): MappedEvent {
  return { eventKey: PR_EVENT_KEYS[ev.eventType], payload: { ...envelope(ev, repo), pullrequest: pr }, suffix: "pr" };
}

/**
 * Forge has one reviewer-status event where webhooks have four. `approved` → pullrequest:approved
 * (with `approval`), `changes_requested` → pullrequest:changes_request_created (with
 * `changes_request`); any other status means a review was withdrawn, which Forge does not qualify:
 * it becomes pullrequest:unapproved. The reviewer's account comes from the fetched pull request's
 * participants when it is there (display name, links), else from the event.
 */
export function mapReviewerStatus(ev: ForgeReviewerStatusEvent, repo: ApiRepository, pr: ApiPullRequest): MappedEvent[] {
  return ev.reviewers.value.map((r, i) => {
    const participant = pr.participants?.find((p) => r.user.uuid && p.user?.uuid === r.user.uuid);
    const user = participant?.user ?? webhookAccount(r.user);
    const review = { date: r.timestamp ?? ev.timestamp ?? null, user };
    const base = { ...envelope(ev, repo), pullrequest: pr };
    const suffix = `review:${i}:${r.user.uuid ?? r.user.accountId ?? "?"}`;
    if (r.status === "approved") return { eventKey: "pullrequest:approved", payload: { ...base, approval: review }, suffix };
    if (r.status === "changes_requested") {
      return { eventKey: "pullrequest:changes_request_created", payload: { ...base, changes_request: review }, suffix };
    }
    return { eventKey: "pullrequest:unapproved", payload: { ...base, approval: review }, suffix };
  });
}

/**
 * `buildStatus` → `commit_status`. The stored status (fetched by key) is preferred: it has the name
 * and description the Forge event leaves out; without it the event's fields are mapped.
 */
export function mapBuildStatus(ev: ForgeBuildStatusEvent, repo: ApiRepository, stored: ApiObject | null, apiBaseUrl: string): MappedEvent {
  const s = ev.buildStatus;
  const commitHref = `${apiBaseUrl.replace(/\/$/, "")}/2.0/repositories/${repo.full_name}/commit/${s.commit.hash}`;
  const mapped: ApiObject = {
    type: "build",
    key: s.key,
    state: s.state,
    name: s.name ?? null,
    description: s.description ?? null,
    url: s.url ?? null,
    refname: s.refName ?? null,
    created_on: s.createdOn,
    updated_on: s.updatedOn,
    commit: { type: "commit", hash: s.commit.hash },
    links: { commit: { href: commitHref } },
  };
  const status = stored ? { ...mapped, ...stored, state: s.state, commit: { type: "commit", hash: s.commit.hash } } : mapped;
  const eventKey = ev.eventType === "avi:bitbucket:created:build-status" ? "repo:commit_status_created" : "repo:commit_status_updated";
  return { eventKey, payload: { ...envelope(ev, repo), commit_status: status }, suffix: "status" };
}
