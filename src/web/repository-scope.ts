import { dataCenterInstanceId } from "../bitbucket/repository-id";
import type { InstallationView } from "../core/installations";
import { repositories } from "../core/repositories";
import type { Services } from "../core/services";
import { HttpError } from "../http/errors";
import { Delivery, RepoSettingsRecord, RepositoryRecord } from "../models";

/**
 * "A misdirected credential gets 401, whatever door" (docs/architecture.md, Security): a credential
 * of one installation, workspace or repository used for another's data is 401 with a short reason,
 * nothing read or changed; 404 is kept for what the caller's own installation does not have.
 */
export interface ScopeAnswer {
  status: 401 | 404;
  reason: string;
}

const DC_ID = /^dc:([0-9a-f]{16}):/;

/**
 * True when a repository id names its own scope and that scope is not the installation's. Data
 * Center ids carry their instance (`dc:<instance>:<id>`, `src/bitbucket/repository-id.ts`): one of
 * another instance (or any DC id for a Cloud installation) is never this installation's. Cloud UUIDs
 * name no workspace: false (only the installation's Bitbucket can tell, {@link missingRepositoryAnswer}).
 */
export function idOfAnotherScope(installation: Pick<InstallationView, "baseUrl">, id: string): boolean {
  const m = DC_ID.exec(id);
  if (!m) return false;
  try {
    return dataCenterInstanceId(installation.baseUrl) !== m[1];
  } catch {
    return true; // an installation without an http(s) base URL has no DC instance at all
  }
}

/**
 * Which of `ids` the app has ever known as repositories of the installation: recorded by a
 * permission check (`repositories`), with settings of their own, or named by a delivery (each
 * checked against the sender's workspace or instance when it was stored). Three indexed queries.
 */
export async function knownRepositoriesOf(installationId: string, ids: string[]): Promise<Set<string>> {
  const known = new Set<string>();
  if (!ids.length) return known;
  const where = { installationId, repositoryUuid: ids };
  for (const r of await RepositoryRecord.findAll({ where: { installationId, repositoryId: ids }, attributes: ["repositoryId"] })) known.add(r.repositoryId);
  for (const r of await RepoSettingsRecord.findAll({ where, attributes: ["repositoryUuid"] })) known.add(r.repositoryUuid);
  const rest = ids.filter((id) => !known.has(id));
  if (rest.length) {
    const rows = await Delivery.findAll({ where: { installationId, repositoryUuid: rest }, attributes: ["repositoryUuid"], group: ["repositoryUuid"] });
    for (const r of rows) if (r.repositoryUuid) known.add(r.repositoryUuid);
  }
  return known;
}

/**
 * The answer when the installation's own Bitbucket does not find repository `id` (HTTP 404, asked
 * within the installation's workspace or instance): 404 when the app knows it as one of the
 * installation's repositories (deleted or moved since), otherwise 401: the credential was used for a
 * repository that is not its installation's (another workspace's, another instance's, or one the app
 * cannot tell from those).
 */
export async function missingRepositoryAnswer(installation: Pick<InstallationView, "id">, id: string): Promise<ScopeAnswer> {
  return (await knownRepositoriesOf(installation.id, [id])).has(id)
    ? { status: 404, reason: "repository not found in this installation" }
    : { status: 401, reason: "this credential's installation has no such repository: it was not issued for it" };
}

/**
 * Is `id` a repository of the installation? Yes when the app knows it as one
 * ({@link knownRepositoriesOf}: one indexed query in the usual case), else the installation's own
 * Bitbucket is asked within its workspace / instance (`BitbucketApi.repository`; found: recorded, so
 * it is asked once). Returns null when it is (or when the host could not be asked: the route's own
 * check answers then), or the 401 of a credential used for a repository its installation does not have.
 */
export async function checkRepositoryOfInstallation(services: Services, installation: InstallationView, id: string): Promise<ScopeAnswer | null> {
  if ((await knownRepositoriesOf(installation.id, [id])).has(id)) return null;
  try {
    const found = await services.bitbucketApiFor(installation).repository({ id, fullName: null });
    await repositories.remember(installation, { id, displayName: found.fullName });
    return null;
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return missingRepositoryAnswer(installation, id);
    return null;
  }
}
