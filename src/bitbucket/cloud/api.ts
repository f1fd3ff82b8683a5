import type { InstallationView } from "../../core/installations";
import { PermanentError } from "../../http/errors";
import type { BitbucketClient } from "../client";
import { repoPath } from "../client";
import { downloadCommitArchive } from "../api/archive";
import { repositoryPermissionOf } from "../api/permissions";
import { workspacePermissionOf } from "../api/workspace-permissions";
import { commitStatuses, listOpenPullRequests, type BitbucketCommitStatus } from "../api/pullrequests";
import { listCommitStatuses, postBuildStatus, STATUS_KEY_MAX, type CommitStatus, type RepoAddress } from "../api/statuses";
import type {
  BitbucketApi,
  BuildStatusReport,
  CommitBuildStatus,
  HostPullRequestRecord,
  HostRepository,
  PullRequestHistoryPage,
  RepositoryRef,
} from "../host-api";
import { normalizePullRequest } from "./pull-requests";
import { pullRequestActivity, pullRequestHistoryPage } from "../api/pullrequest-history";
import { historyRecord } from "./history";

/** The history cursor: the next page of Cloud's list (`page`, 1-based), written `page:<n>`. */
const CURSOR = /^page:([1-9]\d{0,5})$/;

/** The host-neutral state of a Cloud status: Cloud's four states are the neutral ones. */
function stateOf(s: { state: string }): CommitBuildStatus["state"] {
  return s.state === "SUCCESSFUL" || s.state === "FAILED" || s.state === "INPROGRESS" ? s.state : "STOPPED";
}

function readStatus(s: CommitStatus | BitbucketCommitStatus): CommitBuildStatus {
  return {
    key: s.key,
    state: stateOf(s),
    name: s.name ?? null,
    url: s.url ?? null,
    refname: s.refname ?? null,
    updatedOn: s.updated_on ?? s.created_on ?? null,
  };
}

/**
 * Bitbucket Cloud (REST API 2.0) behind `BitbucketApi`, on the installation's `BitbucketClient`.
 * Addressing, as before the interface existed:
 * - pull requests, commit statuses and permissions: `{workspace uuid}/{repository uuid}` only, so a
 *   viewer can never reach a repository of another workspace through a slug;
 * - build status post/list and repository: `workspace/slug` when the full name is known, else the uuids;
 * - archive: `workspace/slug` (the site's `/get/` download knows no uuids).
 */
export class CloudBitbucketApi implements BitbucketApi {
  readonly product = "cloud";
  /** Cloud's `commitstatus.url` has no documented maximum length. */
  readonly limits = { statusKeyMax: STATUS_KEY_MAX, statusUrlMax: Number.POSITIVE_INFINITY };

  constructor(
    private readonly client: BitbucketClient,
    private readonly installation: Pick<InstallationView, "workspaceUuid">,
  ) {}

  private workspace(): string {
    const ws = this.installation.workspaceUuid;
    if (!ws) throw new PermanentError("this Cloud installation has no workspace");
    return ws;
  }

  private byUuid(repo: RepositoryRef): RepoAddress {
    return { workspace: this.workspace(), slug: repo.id };
  }

  private byName(repo: RepositoryRef): RepoAddress {
    const [workspace, slug] = repo.fullName?.split("/") ?? [];
    if (workspace && slug) return { workspace, slug };
    return this.byUuid(repo);
  }

  async repository(repo: RepositoryRef): Promise<HostRepository> {
    const at = this.byName(repo);
    const r = await this.client.get<{
      uuid?: string;
      full_name?: string;
      name?: string;
      mainbranch?: { name?: string } | null;
      links?: { html?: { href?: string } };
    }>(repoPath(at.workspace, at.slug));
    return {
      id: r.uuid ?? null,
      fullName: r.full_name ?? null,
      displayName: r.name ?? null,
      mainBranch: r.mainbranch?.name ?? null,
      links: { html: r.links?.html?.href ?? null },
    };
  }

  /**
   * `POST …/commit/{c}/statuses/build`. The body carries the `commitstatus` fields only
   * (`cleanStatusBody`): `buildNumber` and `durationMs` have no Cloud field and are not sent.
   */
  async postBuildStatus(repo: RepositoryRef, commit: string, status: BuildStatusReport): Promise<void> {
    if (!status.key || status.key.length > STATUS_KEY_MAX) throw new PermanentError(`status key must be 1-${STATUS_KEY_MAX} characters on Bitbucket Cloud`);
    await postBuildStatus(this.client, this.byName(repo), commit, status);
  }

  async listBuildStatuses(repo: RepositoryRef, commit: string): Promise<CommitBuildStatus[]> {
    return (await listCommitStatuses(this.client, this.byName(repo), commit)).map(readStatus);
  }

  async commitStatuses(repo: RepositoryRef, commit: string): Promise<CommitBuildStatus[]> {
    const at = this.byUuid(repo);
    return (await commitStatuses(this.client, { workspace: at.workspace, repo: at.slug }, commit)).map(readStatus);
  }

  async openPullRequests(repo: RepositoryRef) {
    const at = this.byUuid(repo);
    const listed = await listOpenPullRequests(this.client, { workspace: at.workspace, repo: at.slug });
    return {
      pullRequests: listed.pullRequests.filter((pr) => !pr.state || pr.state === "OPEN").map(normalizePullRequest),
      calls: listed.calls,
    };
  }

  /**
   * One page of pull requests of every state updated since `opts.since`, newest update first
   * (`HISTORY_PAGELEN` per page), each with its activity (at most `ACTIVITY_PAGES_MAX` pages) for
   * its reviews and closing date: at most 1 + 20 × 2 calls. The cursor is the next page number;
   * pages shift when pull requests are updated meanwhile, so a resumed backfill may see one twice
   * (the store is idempotent) or miss one that moved to an earlier page (events captured meanwhile
   * cover it). PermanentError for a malformed cursor.
   */
  async pullRequestHistory(repo: RepositoryRef, opts: { since: string; cursor?: string | null }): Promise<PullRequestHistoryPage> {
    let page = 1;
    if (opts.cursor) {
      const m = CURSOR.exec(opts.cursor);
      if (!m) throw new PermanentError("malformed pull request history cursor");
      page = Number(m[1]);
    }
    const at = this.byUuid(repo);
    const locator = { workspace: at.workspace, repo: at.slug };
    const listed = await pullRequestHistoryPage(this.client, locator, { since: opts.since, page });
    let calls = 1;
    const pullRequests: HostPullRequestRecord[] = [];
    for (const pr of listed.values) {
      const activity = await pullRequestActivity(this.client, locator, pr.id);
      calls += activity.calls;
      pullRequests.push(historyRecord(pr, activity.entries));
    }
    return { pullRequests, cursor: listed.nextPage ? `page:${listed.nextPage}` : null, calls };
  }

  async permissionOf(repo: RepositoryRef, accountId: string) {
    const found = await repositoryPermissionOf(this.client, this.workspace(), repo.id, accountId);
    return { permission: found.permission, repository: { id: found.repository.uuid, fullName: found.repository.fullName } };
  }

  async isScopeAdmin(accountId: string) {
    return (await workspacePermissionOf(this.client, this.workspace(), accountId)) === "owner";
  }

  async archive(repo: RepositoryRef, commit: string) {
    const [workspace, slug] = repo.fullName?.split("/") ?? [];
    if (!workspace || !slug) throw new PermanentError("the repository's workspace/slug is not known: no archive URL");
    return downloadCommitArchive(this.client, workspace, slug, commit);
  }
}
