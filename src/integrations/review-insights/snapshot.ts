import type { PullRequestEventPayload } from "../../bitbucket/events";
import type { HostPerson, HostPullRequestRecord, ReviewState } from "../../bitbucket/host-api";

/** A person as insights key them: the account id (Cloud) / user slug (DC), else the uuid, else the name. */
export interface Reviewer {
  key: string;
  name: string;
}

/** What one event or one history record says about a pull request. Times are epoch ms. */
export interface PullRequestSnapshot {
  id: number;
  title: string;
  url: string | null;
  author: string | null;
  state: "OPEN" | "MERGED" | "DECLINED";
  draft: boolean;
  createdAt: number;
  closedAt: number | null;
  /** The host's last update of the pull request; history records have none (0). */
  updatedAt: number;
  /** The reviewers requested now with their verdicts; null when the source does not say. */
  reviewers: Array<Reviewer & { state: ReviewState }> | null;
  reviews: Array<Reviewer & { state: "approved" | "changes_requested"; at: number }>;
  source: "event" | "history";
}

const NAME_MAX = 256;
const TITLE_MAX = 512;
const URL_MAX = 1024;

function time(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

function reviewer(p: { account_id?: string | null; accountId?: string | null; uuid?: string | null; display_name?: string; displayName?: string; nickname?: string }): Reviewer | null {
  const name = (p.display_name ?? p.displayName ?? p.nickname ?? "Unknown user").slice(0, NAME_MAX);
  const key = p.account_id ?? p.accountId ?? p.uuid ?? (name !== "Unknown user" ? `name:${name}` : null);
  return key ? { key: key.slice(0, 128), name } : null;
}

function stateOf(raw: string | undefined, eventKey: string): PullRequestSnapshot["state"] {
  if (raw === "MERGED" || eventKey === "pullrequest:fulfilled") return "MERGED";
  if (raw === "DECLINED" || raw === "SUPERSEDED" || eventKey === "pullrequest:rejected") return "DECLINED";
  return "OPEN";
}

/**
 * A pull request event (the core's vocabulary: Bitbucket Cloud's webhook events, which the Forge and
 * Data Center doors translate into) as a snapshot: state, requested reviewers with their verdicts
 * (participants with role REVIEWER, plus `reviewers` not among them, pending), and the review it
 * reports (`approval` of pullrequest:approved, `changes_request` of pullrequest:changes_request_created,
 * with their `date`). A closed pull request's closing time is its `updated_on` (the event is the
 * closing). Null when the pull request has no valid `created_on`.
 */
export function snapshotFromEvent(eventKey: string, payload: PullRequestEventPayload): PullRequestSnapshot | null {
  const pr = payload.pullrequest;
  const createdAt = time(pr.created_on);
  if (createdAt === null) return null;
  const updatedAt = time(pr.updated_on) ?? createdAt;
  const state = stateOf(pr.state, eventKey);
  let reviewers: PullRequestSnapshot["reviewers"] = null;
  if (pr.participants || pr.reviewers) {
    reviewers = [];
    for (const p of pr.participants ?? []) {
      const who = p.role === "REVIEWER" && p.user ? reviewer(p.user) : null;
      if (!who || reviewers.some((r) => r.key === who.key)) continue;
      reviewers.push({ ...who, state: p.state === "changes_requested" ? "changes_requested" : p.approved || p.state === "approved" ? "approved" : "pending" });
    }
    for (const a of pr.reviewers ?? []) {
      const who = reviewer(a);
      if (who && !reviewers.some((r) => r.key === who.key)) reviewers.push({ ...who, state: "pending" });
    }
  }
  const reviews: PullRequestSnapshot["reviews"] = [];
  const verdict = (v: unknown, kind: "approved" | "changes_requested") => {
    const o = v as { date?: unknown; user?: Parameters<typeof reviewer>[0] } | undefined;
    const at = typeof o?.date === "string" ? time(o.date) : null;
    const who = o?.user ? reviewer(o.user) : null;
    if (at !== null && who) reviews.push({ ...who, state: kind, at });
  };
  if (eventKey === "pullrequest:approved") verdict((payload as Record<string, unknown>).approval, "approved");
  if (eventKey === "pullrequest:changes_request_created") verdict((payload as Record<string, unknown>).changes_request, "changes_requested");
  return {
    id: pr.id,
    title: (pr.title ?? `Pull request #${pr.id}`).slice(0, TITLE_MAX),
    url: typeof pr.links?.html?.href === "string" ? pr.links.html.href.slice(0, URL_MAX) : null,
    author: pr.author ? (reviewer(pr.author)?.name ?? null) : null,
    state,
    draft: pr.draft === true,
    createdAt,
    closedAt: state === "OPEN" ? null : updatedAt,
    updatedAt,
    reviewers,
    reviews,
    source: "event",
  };
}

function fromHost(p: HostPerson): Reviewer | null {
  return reviewer({ accountId: p.accountId, uuid: p.uuid, displayName: p.displayName });
}

/**
 * A host's history record (`BitbucketApi.pullRequestHistory`) as a snapshot: each requested reviewer's
 * verdict is their latest review in the record, else pending. Null without a valid `createdOn`.
 */
export function snapshotFromHistory(r: HostPullRequestRecord): PullRequestSnapshot | null {
  const createdAt = time(r.createdOn);
  if (createdAt === null) return null;
  const reviews: PullRequestSnapshot["reviews"] = [];
  for (const rv of r.reviews) {
    const who = fromHost(rv.reviewer);
    const at = time(rv.on);
    if (who && at !== null) reviews.push({ ...who, state: rv.state, at });
  }
  const reviewers: NonNullable<PullRequestSnapshot["reviewers"]> = [];
  for (const p of r.reviewers) {
    const who = fromHost(p);
    if (!who || reviewers.some((x) => x.key === who.key)) continue;
    const latest = reviews.filter((x) => x.key === who.key).sort((a, b) => b.at - a.at)[0];
    reviewers.push({ ...who, state: latest?.state ?? "pending" });
  }
  return {
    id: r.id,
    title: r.title.slice(0, TITLE_MAX),
    url: r.url ? r.url.slice(0, URL_MAX) : null,
    author: r.author.displayName.slice(0, NAME_MAX),
    state: r.state,
    draft: false,
    createdAt,
    closedAt: r.state === "OPEN" ? null : (time(r.closedOn) ?? createdAt),
    updatedAt: 0,
    reviewers,
    reviews,
    source: "history",
  };
}
