import { Readable } from "node:stream";
import { HttpError } from "../../src/http/errors";
import type {
  BitbucketApi,
  BuildStatusReport,
  CommitBuildStatus,
  HostRepository,
  OpenPullRequests,
  RepositoryPermission,
  RepositoryRef,
} from "../../src/bitbucket/host-api";
import type { Services } from "../../src/core/services";

/**
 * The integrations' tests of Data Center repositories need a `BitbucketApi` for host "datacenter".
 * The real one (`DcBitbucketApi`, over the fake DC's REST resources) is built on its own branch; until
 * it is registered, this keeps what the integrations post, per repository id, in memory: commit
 * statuses (read back by `listBuildStatuses` / `commitStatuses`, as DC keeps one per key) and the
 * pull requests a test puts. Whatever it does not hold is a 404-like Error, never an invented answer.
 * `useDataCenterApi` registers it only when no implementation is registered, so the same tests run
 * against the real implementation once it is there.
 */
export class InMemoryDataCenterApi implements BitbucketApi {
  readonly product = "datacenter";
  readonly limits = { statusKeyMax: 255 };
  /** Every post, in order: repository id, commit, status. */
  readonly posted: Array<{ repository: string; commit: string; status: BuildStatusReport }> = [];
  readonly pullRequests = new Map<string, OpenPullRequests["pullRequests"]>();
  /** `.tar.gz` bytes by commit, as a test puts them. */
  readonly archives = new Map<string, Buffer>();

  async repository(repo: RepositoryRef): Promise<HostRepository> {
    if (!repo.fullName) throw new Error(`repository ${repo.id} is not held by the in-memory DC API`);
    return { id: repo.id, fullName: repo.fullName, displayName: repo.fullName, mainBranch: "main", links: { html: null } };
  }

  async postBuildStatus(repo: RepositoryRef, commit: string, status: BuildStatusReport): Promise<void> {
    if (status.key.length > this.limits.statusKeyMax) throw new Error(`key longer than ${this.limits.statusKeyMax}`);
    this.posted.push({ repository: repo.id, commit, status });
  }

  async listBuildStatuses(repo: RepositoryRef, commit: string): Promise<CommitBuildStatus[]> {
    const latest = new Map<string, BuildStatusReport>();
    for (const p of this.posted) if (p.repository === repo.id && p.commit === commit) latest.set(p.status.key, p.status);
    return [...latest.values()].map((s) => ({ key: s.key, state: s.state, name: s.name ?? null, url: s.url ?? null, refname: s.refname ?? null, updatedOn: null }));
  }

  commitStatuses(repo: RepositoryRef, commit: string): Promise<CommitBuildStatus[]> {
    return this.listBuildStatuses(repo, commit);
  }

  async openPullRequests(repo: RepositoryRef): Promise<OpenPullRequests> {
    return { pullRequests: this.pullRequests.get(repo.id) ?? [], calls: 1 };
  }

  async permissionOf(): Promise<RepositoryPermission> {
    throw new Error("permissions are not held by the in-memory DC API");
  }

  async isScopeAdmin(): Promise<boolean> {
    throw new Error("scope admins are not held by the in-memory DC API");
  }

  async archive(_repo: RepositoryRef, commit: string): Promise<{ body: Readable; length?: number }> {
    const bytes = this.archives.get(commit);
    if (!bytes) throw new HttpError("bitbucket", 404, "archive not held by the in-memory DC API");
    return { body: Readable.from([bytes]), length: bytes.length };
  }
}

/**
 * Registers an in-memory DC API unless a real one is registered; returns it (null when the real one
 * serves). `force`: replace the real one too (a test that seeds what only this one can hold: archives).
 */
export function useDataCenterApi(services: Services, o: { force?: boolean } = {}): InMemoryDataCenterApi | null {
  if (services.bitbucketApis.has("datacenter") && !o.force) return null;
  const api = new InMemoryDataCenterApi();
  services.bitbucketApis.register("datacenter", () => api, "datacenter");
  return api;
}
