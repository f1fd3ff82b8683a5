import { bitbucketTimestamp, hexFromSeed, shortHash, uuidFromSeed } from "./ids-and-timestamps";
import type { PermissionRecord, RepoRecord } from "./state";
import type {
  Account,
  AccountInput,
  ActivityInput,
  CommitRef,
  CommitStatus,
  EndpointInput,
  Participant,
  PullRequest,
  PullRequestInput,
  RepositorySummary,
} from "./types";

/**
 * JSON documents in Bitbucket's wire shape. `base` is the fake's URL, standing in for both
 * https://api.bitbucket.org (`/2.0/...`) and https://bitbucket.org (html links, downloads).
 */

const enc = encodeURIComponent;

export function repoApiUrl(base: string, repo: RepoRecord): string {
  return `${base}/2.0/repositories/${enc(repo.workspace.slug)}/${enc(repo.slug)}`;
}

function repoHtmlUrl(base: string, repo: RepoRecord): string {
  return `${base}/${enc(repo.workspace.slug)}/${enc(repo.slug)}`;
}

export function repositorySummary(base: string, repo: RepoRecord): RepositorySummary {
  return {
    type: "repository",
    full_name: `${repo.workspace.slug}/${repo.slug}`,
    links: {
      self: { href: repoApiUrl(base, repo) },
      html: { href: repoHtmlUrl(base, repo) },
      avatar: { href: `${base}/ravatar/${enc(repo.uuid)}` },
    },
    name: repo.name,
    uuid: repo.uuid,
  };
}

/** GET /2.0/repositories/{workspace}/{repo_slug} */
export function repository(base: string, repo: RepoRecord): Record<string, unknown> {
  const api = repoApiUrl(base, repo);
  const ws = repo.workspace;
  return {
    type: "repository",
    full_name: `${ws.slug}/${repo.slug}`,
    links: {
      self: { href: api },
      html: { href: repoHtmlUrl(base, repo) },
      avatar: { href: `${base}/ravatar/${enc(repo.uuid)}` },
      pullrequests: { href: `${api}/pullrequests` },
      commits: { href: `${api}/commits` },
      forks: { href: `${api}/forks` },
      watchers: { href: `${api}/watchers` },
      branches: { href: `${api}/refs/branches` },
      tags: { href: `${api}/refs/tags` },
      downloads: { href: `${api}/downloads` },
      source: { href: `${api}/src` },
      clone: [{ name: "https", href: `${base}/${enc(ws.slug)}/${enc(repo.slug)}.git` }],
      hooks: { href: `${api}/hooks` },
    },
    name: repo.name,
    slug: repo.slug,
    description: "",
    scm: "git",
    website: null,
    workspace: {
      type: "workspace",
      uuid: ws.uuid,
      name: ws.name,
      slug: ws.slug,
      links: {
        avatar: { href: `${base}/workspaces/${enc(ws.slug)}/avatar` },
        html: { href: `${base}/${enc(ws.slug)}/` },
        self: { href: `${base}/2.0/workspaces/${enc(ws.slug)}` },
      },
    },
    is_private: true,
    created_on: repo.createdOn,
    updated_on: repo.createdOn,
    size: 0,
    language: "",
    uuid: repo.uuid,
    mainbranch: { name: repo.mainBranch, type: "branch" },
    fork_policy: "no_public_forks",
    has_issues: false,
    has_wiki: false,
  };
}

export function account(base: string, a: AccountInput): Account {
  const accountId = a.account_id ?? hexFromSeed(`account:${a.uuid ?? a.display_name ?? "anonymous"}`, 24);
  const uuid = a.uuid ?? uuidFromSeed(`account:${accountId}`);
  const displayName = a.display_name ?? `User ${accountId.slice(0, 6)}`;
  return {
    display_name: displayName,
    links: {
      self: { href: `${base}/2.0/users/${enc(uuid)}` },
      avatar: { href: `${base}/avatars/${enc(accountId)}/128` },
      html: { href: `${base}/${enc(uuid)}/` },
    },
    type: "user",
    uuid,
    account_id: accountId,
    nickname: a.nickname ?? displayName,
  };
}

export function commitRef(base: string, repo: RepoRecord, hash: string): CommitRef {
  return {
    type: "commit",
    hash,
    links: {
      self: { href: `${repoApiUrl(base, repo)}/commit/${hash}` },
      html: { href: `${repoHtmlUrl(base, repo)}/commits/${hash}` },
    },
  };
}

function participant(base: string, p: NonNullable<PullRequestInput["participants"]>[number]): Participant {
  const approved = p.approved ?? p.state === "approved";
  return {
    type: "participant",
    user: account(base, p.user),
    role: p.role ?? "PARTICIPANT",
    approved,
    state: p.state !== undefined ? p.state : approved ? "approved" : null,
    participated_on: p.participated_on ?? null,
  };
}

/** The full pull request (as the `self` URL returns it), stored with full commit hashes. */
export function pullRequest(base: string, repo: RepoRecord, input: PullRequestInput): PullRequest {
  const id = input.id;
  const api = `${repoApiUrl(base, repo)}/pullrequests/${id}`;
  const created = input.created_on ?? bitbucketTimestamp();
  const endpoint = (e: EndpointInput | undefined, branch: string, seed: string) => ({
    branch: { name: e?.branch?.name ?? branch },
    commit: commitRef(base, repo, e?.commit?.hash ?? hexFromSeed(`${repo.uuid}:${id}:${seed}`)),
    repository: repositorySummary(base, repo),
  });
  const source = endpoint(input.source, `feature/pr-${id}`, "source");
  const destination = endpoint(input.destination, repo.mainBranch, "destination");

  let participants: Participant[];
  let reviewers: Account[];
  if (input.participants) {
    participants = input.participants.map((p) => participant(base, p));
    reviewers = input.reviewers
      ? input.reviewers.map((r) => account(base, r))
      : participants.filter((p) => p.role === "REVIEWER").map((p) => p.user);
  } else {
    reviewers = (input.reviewers ?? []).map((r) => account(base, r));
    participants = reviewers.map((user) => ({ type: "participant", user, role: "REVIEWER", approved: false, state: null, participated_on: null }));
  }
  const description = input.description ?? "";
  const diffSpec = `${repo.workspace.slug}/${repo.slug}:${shortHash(source.commit.hash)}%0D${shortHash(destination.commit.hash)}`;
  return {
    comment_count: input.comment_count ?? 0,
    task_count: input.task_count ?? 0,
    type: "pullrequest",
    id,
    title: input.title ?? `Pull request #${id}`,
    description,
    summary: { type: "rendered", raw: description, markup: "markdown", html: description ? `<p>${description}</p>` : "" },
    state: input.state ?? "OPEN",
    merge_commit: input.merge_commit ? commitRef(base, repo, input.merge_commit.hash) : null,
    close_source_branch: input.close_source_branch ?? false,
    closed_by: input.closed_by ? account(base, input.closed_by) : null,
    author: account(base, input.author ?? { display_name: "Pull Request Author" }),
    reason: input.reason ?? "",
    created_on: created,
    updated_on: input.updated_on ?? created,
    destination,
    source,
    reviewers,
    participants,
    links: {
      self: { href: api },
      html: input.links?.html ?? { href: `${repoHtmlUrl(base, repo)}/pull-requests/${id}` },
      commits: { href: `${api}/commits` },
      approve: { href: `${api}/approve` },
      "request-changes": { href: `${api}/request-changes` },
      diff: { href: `${repoApiUrl(base, repo)}/diff/${diffSpec}?from_pullrequest_id=${id}&topic=true` },
      diffstat: { href: `${repoApiUrl(base, repo)}/diffstat/${diffSpec}?from_pullrequest_id=${id}&topic=true` },
      comments: { href: `${api}/comments` },
      activity: { href: `${api}/activity` },
      merge: { href: `${api}/merge` },
      decline: { href: `${api}/decline` },
      statuses: { href: `${api}/statuses` },
    },
    draft: input.draft ?? false,
    queued: input.queued ?? false,
  };
}

/** The pull request as served: commit hashes abbreviated to 12 characters, like Bitbucket. */
export function pullRequestOnTheWire(pr: PullRequest): PullRequest {
  const copy: PullRequest = JSON.parse(JSON.stringify(pr));
  for (const c of [copy.source.commit, copy.destination.commit, copy.merge_commit]) {
    if (!c) continue;
    const short = shortHash(c.hash);
    c.links.self.href = c.links.self.href.replace(c.hash, short);
    c.links.html.href = c.links.html.href.replace(c.hash, short);
    c.hash = short;
  }
  return copy;
}

/**
 * A stored build status. POST replaces an existing status with the same key (keeping its uuid and
 * created_on); PUT (`merge`) changes only the fields given. The key itself never changes.
 */
export function commitStatus(
  base: string,
  repo: RepoRecord,
  sha: string,
  key: string,
  body: Record<string, unknown>,
  previous: CommitStatus | undefined,
  mode: "replace" | "merge",
  newUuid: string,
): CommitStatus {
  const now = bitbucketTimestamp();
  const kept = mode === "merge" ? previous : undefined;
  const str = (k: "state" | "name" | "description" | "url"): string | undefined => (typeof body[k] === "string" ? (body[k] as string) : undefined);
  const commitUrl = `${repoApiUrl(base, repo)}/commit/${sha}`;
  return {
    key,
    type: "build",
    state: (str("state") ?? kept?.state ?? "INPROGRESS") as CommitStatus["state"],
    name: str("name") ?? kept?.name ?? "",
    description: str("description") ?? kept?.description ?? "",
    url: str("url") ?? kept?.url ?? "",
    refname: typeof body.refname === "string" ? body.refname : (kept?.refname ?? null),
    uuid: previous?.uuid ?? newUuid,
    created_on: previous?.created_on ?? now,
    updated_on: now,
    links: {
      self: { href: `${commitUrl}/statuses/build/${enc(key)}` },
      commit: { href: commitUrl },
    },
  };
}

export function repositoryPermission(base: string, repo: RepoRecord, p: PermissionRecord): Record<string, unknown> {
  return {
    type: "repository_permission",
    user: p.user,
    repository: repositorySummary(base, repo),
    permission: p.permission,
  };
}

/**
 * An activity log entry on the wire (the spec's description of `GET …/pullrequests/{id}/activity`:
 * `approval` / `changes_request` {date, pullrequest, user}, `update` {state, date, author, title, …},
 * each beside a `pull_request` summary).
 */
export function activityEntry(base: string, repo: RepoRecord, pr: PullRequest, a: ActivityInput): Record<string, unknown> {
  const summary = { type: "pullrequest", id: pr.id, title: pr.title, links: { self: pr.links.self, html: pr.links.html } };
  const user = account(base, a.user);
  if (a.kind === "update") {
    return {
      update: {
        state: a.state ?? pr.state,
        date: a.date,
        author: user,
        title: pr.title,
        description: pr.description,
        reason: pr.reason,
        destination: { branch: pr.destination.branch, commit: { type: "commit", hash: shortHash(pr.destination.commit.hash) } },
        source: { branch: pr.source.branch, commit: { type: "commit", hash: shortHash(pr.source.commit.hash) } },
      },
      pull_request: summary,
    };
  }
  return { [a.kind]: { date: a.date, pullrequest: summary, user }, pull_request: summary };
}
