import { Router, type Request } from "express";
import type { FakeDataCenter } from "..";
import type { DcRepository, DcUser } from "../state";
import { restRepository } from "./repository";
import { avatarSize, restUser } from "./rest-user";

export type DcReviewStatus = "UNAPPROVED" | "NEEDS_WORK" | "APPROVED";

/** A pull request the fake keeps (times in ms since the epoch, as DC answers them). */
export interface DcStoredPullRequest {
  id: number;
  version: number;
  title: string;
  description?: string;
  state: "OPEN" | "MERGED" | "DECLINED";
  draft: boolean;
  author: DcUser;
  reviewers: Array<{ user: DcUser; status: DcReviewStatus; lastReviewedCommit?: string }>;
  participants: Array<{ user: DcUser; status: DcReviewStatus }>;
  fromBranch: string;
  toBranch: string;
  latestCommit: string;
  createdDate: number;
  updatedDate: number;
  closedDate?: number;
}

/** `RestPullRequestActivity` as the fake keeps it (9.2 spec `action` enum). */
export interface DcStoredActivity {
  id: number;
  action: "APPROVED" | "UNAPPROVED" | "REVIEWED" | "COMMENTED" | "OPENED" | "UPDATED" | "RESCOPED" | "MERGED" | "DECLINED" | "REOPENED";
  user: DcUser;
  createdDate: number;
}

interface Store {
  byRepo: Map<number, DcStoredPullRequest[]>;
  activities: Map<string, DcStoredActivity[]>;
}

function store(fake: FakeDataCenter): Store {
  let s = fake.extensions.get("pullRequests") as Store | undefined;
  if (!s) fake.extensions.set("pullRequests", (s = { byRepo: new Map(), activities: new Map() }));
  return s;
}

export type DcPullRequestSeed = Partial<Omit<DcStoredPullRequest, "author">> & { author: DcUser };

/** Seeds a pull request on a repository of the fake (id: the next free one); returns what is stored. */
export function addDcPullRequest(fake: FakeDataCenter, repo: DcRepository, seed: DcPullRequestSeed): DcStoredPullRequest {
  const list = store(fake).byRepo.get(repo.id) ?? [];
  store(fake).byRepo.set(repo.id, list);
  const created = seed.createdDate ?? 1_700_000_000_000 + list.length * 60_000;
  const pr: DcStoredPullRequest = {
    id: seed.id ?? list.reduce((m, p) => Math.max(m, p.id), 0) + 1,
    version: seed.version ?? 0,
    title: seed.title ?? "A change",
    description: seed.description,
    state: seed.state ?? "OPEN",
    draft: seed.draft ?? false,
    author: seed.author,
    reviewers: seed.reviewers ?? [],
    participants: seed.participants ?? [],
    fromBranch: seed.fromBranch ?? "feature",
    toBranch: seed.toBranch ?? "main",
    latestCommit: seed.latestCommit ?? "a".repeat(40),
    createdDate: created,
    updatedDate: seed.updatedDate ?? created,
    closedDate: seed.closedDate,
  };
  list.push(pr);
  return pr;
}

/** Seeds an activity of a pull request (approval, "needs work" = REVIEWED, comment, …). */
export function addDcActivity(fake: FakeDataCenter, repo: DcRepository, pullRequestId: number, a: Omit<DcStoredActivity, "id">): DcStoredActivity {
  const key = `${repo.id}:${pullRequestId}`;
  const list = store(fake).activities.get(key) ?? [];
  store(fake).activities.set(key, list);
  const stored = { ...a, id: fake.state.id() };
  list.push(stored);
  return stored;
}

/** `RestPullRequest` (9.2 spec) of a stored pull request. */
function restPullRequest(fake: FakeDataCenter, repo: DcRepository, pr: DcStoredPullRequest, size: number | null): Record<string, unknown> {
  const ref = (branch: string, commit: string) => ({ id: `refs/heads/${branch}`, displayId: branch, latestCommit: commit, type: "BRANCH", repository: restRepository(fake, repo) });
  const participant = (user: DcUser, role: string, status: DcReviewStatus, extra: Record<string, unknown> = {}) => ({ user: restUser(fake, user, size), role, approved: status === "APPROVED", status, ...extra });
  return {
    id: pr.id,
    version: pr.version,
    title: pr.title,
    ...(pr.description ? { description: pr.description } : {}),
    state: pr.state,
    open: pr.state === "OPEN",
    closed: pr.state !== "OPEN",
    draft: pr.draft,
    createdDate: pr.createdDate,
    updatedDate: pr.updatedDate,
    ...(pr.closedDate !== undefined ? { closedDate: pr.closedDate } : {}),
    fromRef: ref(pr.fromBranch, pr.latestCommit),
    toRef: ref(pr.toBranch, "b".repeat(40)),
    locked: false,
    author: participant(pr.author, "AUTHOR", "UNAPPROVED"),
    reviewers: pr.reviewers.map((r) => participant(r.user, "REVIEWER", r.status, r.lastReviewedCommit ? { lastReviewedCommit: r.lastReviewedCommit } : {})),
    participants: pr.participants.map((p) => participant(p.user, "PARTICIPANT", p.status)),
    links: { self: [{ href: `${fake.baseUrl}/projects/${repo.projectKey}/repos/${repo.slug}/pull-requests/${pr.id}` }] },
  };
}

function selected(req: Request, all: DcStoredPullRequest[]): DcStoredPullRequest[] {
  const state = String(req.query.state ?? "OPEN").toUpperCase();
  let out = state === "ALL" ? [...all] : all.filter((p) => p.state === state);
  if (req.query.draft !== undefined) out = out.filter((p) => p.draft === (String(req.query.draft) === "true"));
  // NEWEST (default): most recently updated first; OLDEST: the reverse.
  out.sort((a, b) => b.updatedDate - a.updatedDate || b.id - a.id);
  if (String(req.query.order ?? "NEWEST").toUpperCase() === "OLDEST") out.reverse();
  return out;
}

/**
 * Pull requests (9.2 spec, REPO_READ): the repository's list (`state` OPEN by default | DECLINED |
 * MERGED | ALL, `order` NEWEST | OLDEST, `draft`, paging, `avatarSize`), one pull request, and its
 * activities (newest first, paged).
 */
export function pullRequestRoutes(fake: FakeDataCenter): Router {
  const r = Router();
  const base = ["/rest/api/latest/projects/:projectKey/repos/:repositorySlug/pull-requests", "/rest/api/1.0/projects/:projectKey/repos/:repositorySlug/pull-requests"];
  r.get(base, (req, res) => {
    const repo = fake.requireRepository(req, res, "REPO_READ");
    if (!repo) return;
    const state = String(req.query.state ?? "OPEN").toUpperCase();
    if (!["OPEN", "DECLINED", "MERGED", "ALL"].includes(state)) return fake.error(res, 400, `Invalid state ${state}`, "com.atlassian.bitbucket.rest.exception.BadRequestException", "state");
    const size = avatarSize(req);
    res.json(fake.page(req, selected(req, store(fake).byRepo.get(repo.id) ?? []).map((p) => restPullRequest(fake, repo, p, size))));
  });
  const one = (req: Request) => {
    const repo = fake.state.repository(String(req.params.projectKey), String(req.params.repositorySlug));
    return repo ? (store(fake).byRepo.get(repo.id) ?? []).find((p) => p.id === Number(req.params.pullRequestId)) : undefined;
  };
  r.get(base.map((b) => `${b}/:pullRequestId`), (req, res) => {
    const repo = fake.requireRepository(req, res, "REPO_READ");
    if (!repo) return;
    const pr = one(req);
    if (!pr) return fake.error(res, 404, `Pull request ${String(req.params.pullRequestId)} does not exist in ${repo.projectKey}/${repo.slug}.`, "com.atlassian.bitbucket.pull.NoSuchPullRequestException");
    res.json(restPullRequest(fake, repo, pr, avatarSize(req)));
  });
  r.get(base.map((b) => `${b}/:pullRequestId/activities`), (req, res) => {
    const repo = fake.requireRepository(req, res, "REPO_READ");
    if (!repo) return;
    const pr = one(req);
    if (!pr) return fake.error(res, 404, `Pull request ${String(req.params.pullRequestId)} does not exist in ${repo.projectKey}/${repo.slug}.`, "com.atlassian.bitbucket.pull.NoSuchPullRequestException");
    const size = avatarSize(req);
    const list = [...(store(fake).activities.get(`${repo.id}:${pr.id}`) ?? [])].sort((a, b) => b.createdDate - a.createdDate || b.id - a.id);
    res.json(fake.page(req, list.map((a) => ({ id: a.id, createdDate: a.createdDate, user: restUser(fake, a.user, size), action: a.action }))));
  });
  return r;
}
