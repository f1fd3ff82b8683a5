import { bitbucketWebhook, forRepository } from "../../helpers/fixtures";
import type { Harness } from "../../helpers/harness";
import { apiAs, sessionFor } from "../../web/support";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const PEOPLE = {
  alice: { account_id: "712020:alice-0002", uuid: "{0c8b7d0e-0000-4000-8000-000000000002}", display_name: "Alice Author" },
  bob: { account_id: "712020:bob-0003", uuid: "{0c8b7d0e-0000-4000-8000-000000000003}", display_name: "Bob Reviewer" },
  carol: { account_id: "712020:carol-0004", uuid: "{0c8b7d0e-0000-4000-8000-000000000004}", display_name: "Carol, \"QA\" Reviewer" },
};
export type Person = (typeof PEOPLE)[keyof typeof PEOPLE];

export const ADMIN = "557058:aaaaaaaa-0000-4000-8000-00000000a001";
export const READER = "557058:bbbbbbbb-0000-4000-8000-00000000b002";

export function grant(h: Harness): void {
  h.fake.setRepoPermission(h.tenant.workspace.slug, h.repo.slug, ADMIN, "admin");
  h.fake.setRepoPermission(h.tenant.workspace.slug, h.repo.slug, READER, "read");
}

export async function api(h: Harness, accountId: string) {
  return apiAs(h, await sessionFor(h, accountId));
}

export const iso = (ms: number) => new Date(ms).toISOString();

export interface PrEvent {
  id: number;
  title?: string;
  state?: "OPEN" | "MERGED" | "DECLINED";
  draft?: boolean;
  createdAt: number;
  updatedAt?: number;
  reviewers?: Array<{ who: Person; state?: "approved" | "changes_requested" | null }>;
}

/**
 * A pull request webhook payload for the harness repository: the real 2023 payload of the event
 * (test/fixtures) pointed at the repository, with the pull request's fields replaced.
 */
export function prPayload(h: Harness, eventKey: string, pr: PrEvent, review?: { who: Person; at: number }): Record<string, unknown> {
  const file = {
    "pullrequest:created": "pullrequest-created.real-2023.json",
    "pullrequest:approved": "pullrequest-approved.real-2023.json",
    "pullrequest:changes_request_created": "pullrequest-changes_request_created.SYNTHETIC.json",
    "pullrequest:fulfilled": "pullrequest-fulfilled.real-2023-with-reviewer.json",
    "pullrequest:rejected": "pullrequest-rejected.jenkins-fixture.json",
    "pullrequest:updated": "pullrequest-updated.jenkins-fixture.json",
  }[eventKey]!;
  const base = forRepository(bitbucketWebhook<Record<string, unknown>>(file), { ...h.repo, workspaceUuid: h.tenant.workspace.uuid });
  const participants = (pr.reviewers ?? []).map((r) => ({ type: "participant", user: r.who, role: "REVIEWER", approved: r.state === "approved", state: r.state ?? null }));
  const payload: Record<string, unknown> = {
    ...base,
    pullrequest: {
      ...(base.pullrequest as Record<string, unknown>),
      id: pr.id,
      title: pr.title ?? `Change ${pr.id}`,
      state: pr.state ?? "OPEN",
      draft: pr.draft ?? false,
      author: PEOPLE.alice,
      created_on: iso(pr.createdAt),
      updated_on: iso(pr.updatedAt ?? pr.createdAt),
      reviewers: (pr.reviewers ?? []).map((r) => r.who),
      participants,
      links: { html: { href: `https://bitbucket.org/${h.repo.fullName}/pull-requests/${pr.id}` } },
    },
  };
  delete payload._SYNTHETIC_NOTE;
  delete payload.approval;
  delete payload.changes_request;
  if (review && eventKey === "pullrequest:approved") payload.approval = { date: iso(review.at), user: review.who };
  if (review && eventKey === "pullrequest:changes_request_created") payload.changes_request = { date: iso(review.at), user: review.who };
  return payload;
}

/** Sends one pull request event as Bitbucket does (signed webhook); fails unless the app accepted it. */
export async function send(h: Harness, eventKey: string, pr: PrEvent, review?: { who: Person; at: number }, requestUuid?: string): Promise<void> {
  const res = await h.webhook(eventKey, prPayload(h, eventKey, pr, review), requestUuid ? { requestUuid } : {});
  if (res.status >= 300) throw new Error(`${eventKey} answered ${res.status}: ${res.text}`);
}

/**
 * The seeded history the tests know the figures of (now = `now`):
 * - time to first review (hours) 1, 2, 4, 8, 30 → median 4, p90 21.2 (PRs 1–5), all in the last 30 days;
 *   PR 6's first review, 60 days ago, only in the 90-day window (4 h);
 * - time to merge (hours) 10, 20, 30, 100 → median 25, p90 79 (PRs 1–4, merged 10 minutes ago);
 * - open: PR 5 (31 h), PR 20 (10 days, Bob requested, no review), PR 21 (2 days, Bob and Carol
 *   requested, no review), PR 22 a draft (40 days: not counted);
 * - reviews: Bob approved 1, 2, 3; Carol approved 4 and asked for changes on 5.
 */
export async function seedHistory(h: Harness, now: number): Promise<void> {
  const merged: Array<[number, number, number, Person]> = [
    [1, 1, 10, PEOPLE.bob],
    [2, 2, 20, PEOPLE.bob],
    [3, 4, 30, PEOPLE.bob],
    [4, 8, 100, PEOPLE.carol],
  ];
  for (const [id, reviewH, mergeH, who] of merged) {
    const closed = now - 10 * 60_000;
    const created = closed - mergeH * HOUR;
    const pr = { id, createdAt: created, reviewers: [{ who }] };
    await send(h, "pullrequest:created", pr);
    await send(h, "pullrequest:approved", { ...pr, updatedAt: created + reviewH * HOUR, reviewers: [{ who, state: "approved" as const }] }, { who, at: created + reviewH * HOUR });
    await send(h, "pullrequest:fulfilled", { ...pr, state: "MERGED", updatedAt: closed, reviewers: [{ who, state: "approved" as const }] });
  }
  const pr5 = { id: 5, createdAt: now - 31 * HOUR, reviewers: [{ who: PEOPLE.carol }] };
  await send(h, "pullrequest:created", pr5);
  await send(h, "pullrequest:changes_request_created", { ...pr5, updatedAt: now - HOUR, reviewers: [{ who: PEOPLE.carol, state: "changes_requested" as const }] }, { who: PEOPLE.carol, at: now - HOUR });
  const pr6 = { id: 6, createdAt: now - 60 * DAY - 4 * HOUR, state: "DECLINED" as const, reviewers: [{ who: PEOPLE.bob }] };
  await send(h, "pullrequest:created", { ...pr6, state: "OPEN" });
  await send(h, "pullrequest:approved", { ...pr6, state: "OPEN", updatedAt: now - 60 * DAY }, { who: PEOPLE.bob, at: now - 60 * DAY });
  await send(h, "pullrequest:rejected", { ...pr6, updatedAt: now - 59 * DAY });
  await send(h, "pullrequest:created", { id: 20, title: "Add rate limiting, part 2", createdAt: now - 10 * DAY, reviewers: [{ who: PEOPLE.bob }] });
  await send(h, "pullrequest:created", { id: 21, title: "=HYPERLINK(\"x\") tidy", createdAt: now - 2 * DAY, reviewers: [{ who: PEOPLE.bob }, { who: PEOPLE.carol }] });
  await send(h, "pullrequest:created", { id: 22, title: "WIP: dark mode", draft: true, createdAt: now - 40 * DAY });
}

/**
 * 45 pull requests in the fake Cloud, PR i updated i hours ago (so `sort=-updated_on` pages them
 * 1–20, 21–40, 41–45), opened i+2 days ago, approved by Bob i hours after opening; even ones merged a
 * day after opening (activity `update` MERGED), odd ones open with Carol requested. PR 100 was last
 * updated 100 days ago: outside the backfill's 90 days.
 */
export function seedCloud(h: Harness, now: number): void {
  const ws = h.tenant.workspace.slug;
  for (let i = 1; i <= 45; i++) {
    const created = now - (i + 2) * DAY;
    const merged = i % 2 === 0;
    h.fake.addPullRequest(ws, h.repo.slug, {
      id: i,
      title: `History ${i}`,
      state: merged ? "MERGED" : "OPEN",
      author: PEOPLE.alice,
      created_on: iso(created),
      updated_on: iso(now - i * HOUR),
      participants: merged ? [] : [{ user: PEOPLE.carol, role: "REVIEWER", approved: false, state: null }],
    });
    h.fake.addPullRequestActivity(ws, h.repo.slug, i, [
      { kind: "approval", date: iso(created + i * HOUR), user: PEOPLE.bob },
      ...(merged ? [{ kind: "update" as const, date: iso(created + DAY), user: PEOPLE.alice, state: "MERGED" as const }] : []),
    ]);
  }
  h.fake.addPullRequest(ws, h.repo.slug, { id: 100, state: "MERGED", created_on: iso(now - 120 * DAY), updated_on: iso(now - 100 * DAY) });
}

