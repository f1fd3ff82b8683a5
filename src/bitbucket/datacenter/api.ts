import { HttpError } from "../../http/errors";
import type { InstallationView } from "../../core/installations";
import type { BitbucketApi, BuildStatusReport, CommitBuildStatus, HostRepository, RepositoryPermission, RepositoryRef } from "../host-api";
import { dcAddress, type DcRepoAddress, type RepositoryNames } from "./address";
import { downloadDcArchive } from "./archive";
import { checkDcStatus, DC_STATUS_KEY_MAX, DC_STATUS_URL_MAX, listDcBuildStatuses, postDcBuildStatus } from "./build-status";
import { DcCapabilityCache } from "./capabilities";
import type { DataCenterClient } from "./client";
import { dcPullRequestHistory } from "./history";
import { dcIsInstanceAdmin, dcRepositoryPermission } from "./permissions";
import { listDcOpenPullRequests } from "./pull-requests";

/** `RestRepository` as far as it is read here (9.2 spec). */
interface DcRepository {
  id: number;
  slug: string;
  name?: string;
  project?: { key?: string };
  links?: { self?: Array<{ href?: string }> };
}

/** What the DC door gives each API besides the client: where learnt names and build capabilities live. */
export interface DcApiOptions {
  /** The `PROJ/slug` the core last learnt for a repository id, used when a caller passes no `fullName`. */
  names?: RepositoryNames;
  /** Build capabilities per installation (one cache per app instance). */
  capabilities?: DcCapabilityCache;
}

/**
 * Bitbucket Data Center (REST API, 9.2 spec) behind `BitbucketApi`, on the installation's
 * `DataCenterClient` (Bearer service token, DC paging, DC error messages). Repositories are the
 * door-minted `dc:<instance>:<id>`; DC's paths need `PROJ/slug` (`dcAddress`), and an id of another
 * instance is refused. Build statuses use the repository-based builds API when the instance
 * advertises it, else the legacy build-status resource (`capabilities.ts`); there is no list on the
 * repository-based path, so statuses are read from the legacy one.
 */
export class DcBitbucketApi implements BitbucketApi {
  readonly product = "datacenter";
  readonly limits = { statusKeyMax: DC_STATUS_KEY_MAX, statusUrlMax: DC_STATUS_URL_MAX };
  readonly capabilities: DcCapabilityCache;

  constructor(
    private readonly client: DataCenterClient,
    private readonly installation: Pick<InstallationView, "id" | "hostScope" | "baseUrl">,
    private readonly opts: DcApiOptions = {},
  ) {
    this.capabilities = opts.capabilities ?? new DcCapabilityCache();
  }

  private at(repo: RepositoryRef): Promise<DcRepoAddress> {
    return dcAddress(repo, this.installation.hostScope, this.opts.names);
  }

  private idOf(numericId: number): string {
    return `dc:${this.installation.hostScope}:${numericId}`;
  }

  /** `GET …/repos/{r}` and its `default-branch` (404 there = no default branch yet → null). */
  async repository(repo: RepositoryRef): Promise<HostRepository> {
    const at = await this.at(repo);
    const r = await this.client.get<DcRepository>(at.path);
    let mainBranch: string | null = null;
    try {
      mainBranch = (await this.client.get<{ displayId?: string }>(`${at.path}/default-branch`)).displayId ?? null;
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 404)) throw err;
    }
    return {
      id: this.idOf(r.id),
      fullName: `${r.project?.key ?? at.projectKey}/${r.slug}`,
      displayName: r.name ?? null,
      mainBranch,
      links: { html: r.links?.self?.[0]?.href ?? null },
    };
  }

  async postBuildStatus(repo: RepositoryRef, commit: string, status: BuildStatusReport): Promise<void> {
    checkDcStatus(status);
    const at = await this.at(repo);
    const caps = await this.capabilities.get(this.installation.id, this.client);
    await postDcBuildStatus(this.client, at, commit, status, caps);
  }

  async listBuildStatuses(repo: RepositoryRef, commit: string): Promise<CommitBuildStatus[]> {
    return listDcBuildStatuses(this.client, await this.at(repo), commit);
  }

  async commitStatuses(repo: RepositoryRef, commit: string): Promise<CommitBuildStatus[]> {
    return listDcBuildStatuses(this.client, await this.at(repo), commit, 100);
  }

  async openPullRequests(repo: RepositoryRef) {
    return listDcOpenPullRequests(this.client, await this.at(repo));
  }

  async pullRequestHistory(repo: RepositoryRef, opts: { since: string; cursor?: string | null }) {
    return dcPullRequestHistory(this.client, await this.at(repo), opts);
  }

  /**
   * The user's (slug) effective permission (`permissions.ts`), and the repository DC answers for at
   * `PROJ/slug` now (`GET …/repos/{r}`: its id may differ from the one asked about when a slug was
   * renamed and reused; callers compare). A repository the service token cannot read is DC's 404.
   */
  async permissionOf(repo: RepositoryRef, accountId: string): Promise<RepositoryPermission> {
    const at = await this.at(repo);
    const r = await this.client.get<DcRepository>(at.path);
    const repository = { id: this.idOf(r.id), fullName: `${r.project?.key ?? at.projectKey}/${r.slug}` };
    if (r.id !== at.repositoryId) return { permission: "none", repository };
    return { permission: await dcRepositoryPermission(this.client, at, accountId), repository };
  }

  /** A DC instance admin (global ADMIN or SYS_ADMIN). */
  isScopeAdmin(accountId: string): Promise<boolean> {
    return dcIsInstanceAdmin(this.client, accountId);
  }

  async archive(repo: RepositoryRef, commit: string) {
    return downloadDcArchive(this.client, await this.at(repo), commit);
  }
}
