import type { BitbucketEventKey } from "../../bitbucket/events";
import { mintDataCenterRepositoryId } from "../../bitbucket/repository-id";
import type { DcEventKey, DcEventPayloads, DcParticipant, DcPullRequest, DcPullRequestEvent, DcRefChange, DcRefsChanged, DcRepository, DcUser } from "./payloads";

/**
 * Pure mapping of Bitbucket Data Center webhook events onto the core's vocabulary, the Bitbucket
 * Cloud webhook events (`src/bitbucket/events.ts`), as the Forge door does for its events
 * (`src/forge/event-mapping.ts`). Repository `uuid` = the door-minted id `dc:<instance>:<id>`,
 * `full_name` = `PROJ/slug`; people `{uuid: String(user.id), account_id: user.slug, display_name,
 * nickname: user.name}`; links point at the instance's web pages. The DC event is kept beside the
 * webhook fields under `datacenter` (its key, date, and what has no Cloud field).
 */
export type Json = Record<string, unknown>;

export interface MappedDcEvent {
  eventKey: BitbucketEventKey;
  payload: Json & { repository: { uuid: string; full_name: string } };
  /** Distinguishes the events one DC delivery maps to (idempotency key suffix). */
  suffix: string;
}

/** A commit id of 40 zeros: DC's "no commit" (the `fromHash` of an added ref, the `toHash` of a deleted one). */
const NO_COMMIT = /^0+$/;

const enc = encodeURIComponent;

/** The repository's web page on the instance: `/projects/KEY/repos/slug/browse`, personal projects under `/users/name`. */
function repositoryWebUrl(baseUrl: string, repo: DcRepository): string {
  const key = repo.project.key;
  const owner = key.startsWith("~") ? `users/${enc(key.slice(1).toLowerCase())}` : `projects/${enc(key)}`;
  return `${baseUrl}/${owner}/repos/${enc(repo.slug)}`;
}

/** `PROJ/slug`: the display name of a DC repository (`repositories.remember`, `full_name`). */
export function dataCenterFullName(repo: Pick<DcRepository, "slug" | "project">): string {
  return `${repo.project.key}/${repo.slug}`;
}

/** A DC repository as a webhook `repository`: uuid = the minted id, full_name = `PROJ/slug`. */
export function mapRepository(baseUrl: string, repo: DcRepository): MappedDcEvent["payload"]["repository"] & Json {
  const web = repositoryWebUrl(baseUrl, repo);
  return {
    type: "repository",
    uuid: mintDataCenterRepositoryId(baseUrl, repo.id),
    full_name: dataCenterFullName(repo),
    name: repo.name ?? repo.slug,
    scm: repo.scmId ?? "git",
    project: { type: "project", key: repo.project.key, name: repo.project.name ?? repo.project.key },
    links: { html: { href: `${web}/browse` } },
    datacenter: { id: repo.id, projectKey: repo.project.key, slug: repo.slug },
  };
}

/** A DC user as a webhook account: uuid = DC's numeric id, account_id = slug, nickname = login name. */
export function mapUser(baseUrl: string, user: DcUser): Json {
  return {
    type: "user",
    uuid: String(user.id),
    account_id: user.slug,
    display_name: user.displayName ?? user.name,
    nickname: user.name,
    links: { html: { href: `${baseUrl}/users/${enc(user.slug)}` } },
  };
}

function envelope(baseUrl: string, key: DcEventKey, ev: { date?: string; actor?: DcUser }, repo: DcRepository): Json & { repository: MappedDcEvent["payload"]["repository"] } {
  const out: Json & { repository: MappedDcEvent["payload"]["repository"] } = { repository: mapRepository(baseUrl, repo), datacenter: { eventKey: key, date: ev.date ?? null } };
  if (ev.actor) out.actor = mapUser(baseUrl, ev.actor);
  return out;
}

function refKind(change: DcRefChange): { name: string; type: "branch" | "tag" } {
  const id = change.ref.id;
  const type = change.ref.type === "TAG" || id.startsWith("refs/tags/") ? "tag" : "branch";
  const name = change.ref.displayId ?? id.replace(/^refs\/(heads|tags)\//, "");
  return { name, type };
}

/**
 * `repo:refs_changed` → one `repo:push` per changed ref (one change each, as Forge's per-ref
 * pushes): ADD (or a `fromHash` of zeros) is `created` with no `old`, DELETE (or a `toHash` of
 * zeros) is `closed` with no `new`; BRANCH/TAG become `branch`/`tag`. DC says nothing of forced
 * updates (`forced: false`) and sends no commit list by default (`commits: []`).
 */
export function mapRefsChanged(baseUrl: string, ev: DcRefsChanged): MappedDcEvent[] {
  return ev.changes.map((change, i) => {
    const ref = refKind(change);
    const created = change.type === "ADD" || NO_COMMIT.test(change.fromHash);
    const closed = change.type === "DELETE" || NO_COMMIT.test(change.toHash);
    const pushChange = {
      old: created ? null : { name: ref.name, type: ref.type, target: { type: "commit", hash: change.fromHash } },
      new: closed ? null : { name: ref.name, type: ref.type, target: { type: "commit", hash: change.toHash } },
      created,
      closed,
      forced: false,
      truncated: false,
      commits: [],
      datacenter: { refId: change.ref.id, type: change.type },
    };
    return { eventKey: "repo:push", payload: { ...envelope(baseUrl, "repo:refs_changed", ev, ev.repository), push: { changes: [pushChange] } }, suffix: `push:${i}:${change.ref.id}` };
  });
}

const PARTICIPANT_STATE: Record<string, string | null> = { APPROVED: "approved", NEEDS_WORK: "changes_requested", UNAPPROVED: null };

function mapParticipant(baseUrl: string, p: DcParticipant): Json {
  return {
    type: "participant",
    user: mapUser(baseUrl, p.user),
    role: p.role === "REVIEWER" ? "REVIEWER" : "PARTICIPANT",
    approved: p.approved ?? p.status === "APPROVED",
    state: PARTICIPANT_STATE[p.status ?? "UNAPPROVED"] ?? null,
  };
}

const iso = (ms: number | undefined) => (typeof ms === "number" && Number.isFinite(ms) ? new Date(ms).toISOString() : undefined);

/** DC's envelope date (`2019-03-01T10:35:38+0100`) as ISO 8601 UTC; null when it does not parse. */
function isoDate(text: string | undefined): string | null {
  const t = text ? Date.parse(text) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** A DC pull request as a webhook `pullrequest` (source = fromRef, destination = toRef, reviewers' status as participant state). */
export function mapPullRequest(baseUrl: string, pr: DcPullRequest, opts: { state?: string } = {}): Json {
  const target = pr.toRef.repository;
  const side = (ref: DcPullRequest["fromRef"]) => ({
    branch: { name: ref.displayId ?? ref.id.replace(/^refs\/heads\//, "") },
    commit: ref.latestCommit ? { type: "commit", hash: ref.latestCommit } : null,
    repository: mapRepository(baseUrl, ref.repository),
  });
  const reviewers = pr.reviewers ?? [];
  return {
    type: "pullrequest",
    id: pr.id,
    title: pr.title ?? "",
    description: pr.description ?? "",
    state: opts.state ?? pr.state ?? "OPEN",
    draft: pr.draft ?? false,
    author: pr.author ? mapUser(baseUrl, pr.author.user) : undefined,
    created_on: iso(pr.createdDate),
    updated_on: iso(pr.updatedDate),
    source: side(pr.fromRef),
    destination: side(pr.toRef),
    reviewers: reviewers.map((r) => mapUser(baseUrl, r.user)),
    participants: [...reviewers, ...(pr.participants ?? [])].map((p) => mapParticipant(baseUrl, p)),
    merge_commit: pr.properties?.mergeCommit ? { type: "commit", hash: pr.properties.mergeCommit.id } : null,
    links: { html: { href: `${repositoryWebUrl(baseUrl, target)}/pull-requests/${pr.id}` } },
    datacenter: { version: pr.version ?? null, closedDate: pr.closedDate ?? null },
  };
}

/** DC pull request event → Cloud event key (the reviewer events depend on the participant's statuses: see mapPullRequestEvent). */
const PR_EVENT_KEYS = {
  "pr:opened": "pullrequest:created",
  "pr:from_ref_updated": "pullrequest:updated",
  "pr:modified": "pullrequest:updated",
  // Reviewers added or removed: Cloud reports a reviewer change as an update of the pull request.
  "pr:reviewer:updated": "pullrequest:updated",
  "pr:merged": "pullrequest:fulfilled",
  "pr:declined": "pullrequest:rejected",
  // Cloud has no deletion event: a deleted pull request is closed for good, as a declined one is.
  "pr:deleted": "pullrequest:rejected",
  "pr:reviewer:approved": "pullrequest:approved",
  "pr:reviewer:needs_work": "pullrequest:changes_request_created",
  "pr:reviewer:unapproved": "pullrequest:unapproved",
} as const satisfies Record<Exclude<DcEventKey, "repo:refs_changed">, BitbucketEventKey>;

type PrEventKey = keyof typeof PR_EVENT_KEYS;

/**
 * A pull request event → one Cloud pull request event. Reviewer events carry the review as Cloud
 * does (`approval` / `changes_request`: `{date, user}`). `pr:reviewer:unapproved` after NEEDS_WORK
 * (the reviewer withdrew "needs work") is `pullrequest:changes_request_removed`; after APPROVED it
 * is `pullrequest:unapproved`. `pr:deleted` is `pullrequest:rejected` with state DECLINED (the
 * payload still says OPEN) and `datacenter.deleted`.
 */
export function mapPullRequestEvent(baseUrl: string, key: PrEventKey, ev: DcPullRequestEvent): MappedDcEvent {
  const deleted = key === "pr:deleted";
  const base: MappedDcEvent["payload"] = { ...envelope(baseUrl, key, ev, ev.pullRequest.toRef.repository), pullrequest: mapPullRequest(baseUrl, ev.pullRequest, deleted ? { state: "DECLINED" } : {}) };
  const dc = base.datacenter as Json;
  if (deleted) dc.deleted = true;
  if (ev.previousStatus) dc.previousStatus = ev.previousStatus;
  if (key === "pr:reviewer:updated") {
    dc.addedReviewers = (ev.addedReviewers ?? []).map((u) => mapUser(baseUrl, u));
    dc.removedReviewers = (ev.removedReviewers ?? []).map((u) => mapUser(baseUrl, u));
  }
  let eventKey: BitbucketEventKey = PR_EVENT_KEYS[key];
  const reviewer = ev.participant?.user ?? ev.actor;
  const review = { date: isoDate(ev.date), user: reviewer ? mapUser(baseUrl, reviewer) : undefined };
  const payload = base;
  if (key === "pr:reviewer:approved") payload.approval = review;
  if (key === "pr:reviewer:needs_work") payload.changes_request = review;
  if (key === "pr:reviewer:unapproved") {
    if (ev.previousStatus === "NEEDS_WORK") {
      eventKey = "pullrequest:changes_request_removed";
      payload.changes_request = review;
    } else payload.approval = review;
  }
  return { eventKey, payload, suffix: "pr" };
}

/** Any DC event the app receives → the core events it stands for (one per changed ref for pushes). */
export function mapDataCenterEvent<K extends DcEventKey>(baseUrl: string, key: K, ev: DcEventPayloads[K]): MappedDcEvent[] {
  if (key === "repo:refs_changed") return mapRefsChanged(baseUrl, ev as DcRefsChanged);
  return [mapPullRequestEvent(baseUrl, key as PrEventKey, ev as DcPullRequestEvent)];
}
