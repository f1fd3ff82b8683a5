import type { InstallationView } from "../core/installations";

/**
 * Links to a repository's pages on its Bitbucket, for messages (chat digests, alerts, events the
 * app emits). No API call: built from the installation's site URL and the repository's display name.
 *
 * | page           | Cloud (`https://bitbucket.org/ws/slug`) | Data Center (`<base URL>/projects/PROJ/repos/slug`; personal `~user`: `/users/user/repos/slug`) |
 * |----------------|------------------------------------------|------------------------------------------------------------------------------------------------|
 * | repository     | `/ws/slug`                               | `…/browse`                                                                                     |
 * | pull requests  | `/ws/slug/pull-requests/`                | `…/pull-requests`                                                                              |
 * | pull request N | `/ws/slug/pull-requests/N`               | `…/pull-requests/N/overview`                                                                   |
 * | commit         | `/ws/slug/commits/<sha>`                 | `…/commits/<sha>`                                                                              |
 *
 * Data Center paths: the web UI's own links (`RestRepository.links.self` is `…/projects/P/repos/r/browse`,
 * `RestPullRequest.links.self` `…/pull-requests/N`; 9.2 spec examples).
 */
export interface RepositoryWebLinks {
  repository: string;
  pullRequests: string;
  pullRequest(id: number): string;
  commit(hash: string): string;
}

const enc = encodeURIComponent;

/** The links of `fullName` (`workspace/slug` or `PROJ/slug`) on the installation's Bitbucket; null when the name is not two parts. */
export function repositoryWebLinks(installation: Pick<InstallationView, "host" | "baseUrl">, fullName: string): RepositoryWebLinks | null {
  const [owner, slug, extra] = fullName.split("/");
  if (!owner || !slug || extra !== undefined) return null;
  const site = installation.baseUrl.replace(/\/+$/, "");
  if (installation.host === "datacenter") {
    const repo = owner.startsWith("~") ? `${site}/users/${enc(owner.slice(1).toLowerCase())}/repos/${enc(slug)}` : `${site}/projects/${enc(owner)}/repos/${enc(slug)}`;
    return {
      repository: `${repo}/browse`,
      pullRequests: `${repo}/pull-requests`,
      pullRequest: (id) => `${repo}/pull-requests/${id}/overview`,
      commit: (hash) => `${repo}/commits/${enc(hash)}`,
    };
  }
  // Cloud: exactly the links the app always wrote (the name as stored, not encoded).
  const repo = `${site}/${fullName}`;
  return {
    repository: repo,
    pullRequests: `${repo}/pull-requests/`,
    pullRequest: (id) => `${repo}/pull-requests/${id}`,
    commit: (hash) => `${repo}/commits/${hash}`,
  };
}
