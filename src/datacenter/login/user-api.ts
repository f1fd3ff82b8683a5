import { BitbucketAuthError } from "../../bitbucket/client";
import { DataCenterClient } from "../../bitbucket/datacenter/client";
import type { PermissionLevel, RepositoryPermission, RepositoryRef } from "../../bitbucket/host-api";
import { mintDataCenterRepositoryId } from "../../bitbucket/repository-id";
import type { DataCenterInstanceConfig } from "../../config/datacenter";
import type { HttpClient } from "../../http/client";
import type { DcUserGrants } from "./grants";

/** A repository as the picker lists it. */
export interface DcUserRepository {
  /** `dc:<instance>:<repository id>`. */
  id: string;
  /** `PROJ/slug`. */
  fullName: string;
  projectKey: string;
  name: string;
}

interface RestRepositoryLite {
  id: number;
  slug: string;
  name: string;
  project?: { key?: string };
}

/** How many repositories the picker lists per permission (the rest: narrow by project). */
export const PICKER_MAX = 500;

type DcLevel = "REPO_ADMIN" | "REPO_WRITE" | "REPO_READ";
const LEVELS: ReadonlyArray<[DcLevel, PermissionLevel]> = [
  ["REPO_ADMIN", "admin"],
  ["REPO_WRITE", "write"],
  ["REPO_READ", "read"],
];

/**
 * Data Center as the logged-in user sees it, asked with the user's own OAuth access token (refreshed
 * when needed; one retry after DC refuses a token): the repositories they may read or administer
 * (`GET /rest/api/latest/repos?permission=…&projectkey=…`, paged; reference §1.2), and their
 * permission on one repository. The user's token is preferred to the service account: DC itself
 * applies the user's permissions (groups, project grants, global admins) and the token's scopes, and
 * the answer needs no user-filter search through the service account's REPO_ADMIN rights.
 */
export class DcUserApi {
  private readonly client: DataCenterClient;
  private invalidated = false;

  constructor(
    http: HttpClient,
    private readonly instance: DataCenterInstanceConfig,
    grants: DcUserGrants,
    grantId: string,
  ) {
    this.client = new DataCenterClient(http, `${instance.baseUrl}/rest`, instance.baseUrl, {
      headers: async () => {
        const force = this.invalidated;
        this.invalidated = false;
        return { authorization: `Bearer ${await grants.accessToken(instance, grantId, { force })}` };
      },
      bearerToken: () => grants.accessToken(instance, grantId),
      invalidate: () => {
        this.invalidated = true;
      },
    });
  }

  /** The repositories the user has `permission` on (at most `max`), optionally in one project. */
  async repositories(permission: DcLevel, opts: { projectKey?: string; max?: number } = {}): Promise<DcUserRepository[]> {
    const query = { permission, ...(opts.projectKey ? { projectkey: opts.projectKey } : {}) };
    const values = await this.retrying(() => this.client.dcAll<RestRepositoryLite>("/api/latest/repos", query, opts.max ?? PICKER_MAX));
    return values.map((r) => {
      const projectKey = r.project?.key ?? "";
      return { id: mintDataCenterRepositoryId(this.instance.baseUrl, r.id), fullName: `${projectKey}/${r.slug}`, projectKey, name: r.name };
    });
  }

  /**
   * The user's permission on a repository of this instance: the strongest level whose repository
   * list holds its id (`none` when no list does). `projectKey` (from the repository's known display
   * name) narrows each list to one project; without it the lists cover every repository the user
   * sees (up to 5,000).
   */
  async permissionOf(repo: RepositoryRef, projectKey: string | null): Promise<RepositoryPermission> {
    for (const [dcLevel, level] of LEVELS) {
      const found = (await this.repositories(dcLevel, { projectKey: projectKey ?? undefined, max: 5_000 })).find((r) => r.id === repo.id);
      if (found) return { permission: level, repository: { id: found.id, fullName: found.fullName } };
    }
    return { permission: "none", repository: { id: null, fullName: null } };
  }

  private async retrying<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof BitbucketAuthError)) throw err;
      return call(); // the token was invalidated: the next call refreshes it once
    }
  }
}
