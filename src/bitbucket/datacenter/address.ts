import { PermanentError } from "../../http/errors";
import type { RepositoryRef } from "../host-api";
import { dcRepoPath } from "./client";

/** Where a Data Center repository lives: `PROJ` (or `~user` for a personal project) and its slug. */
export interface DcRepoAddress {
  projectKey: string;
  slug: string;
  /** DC's numeric repository id, from the door-minted id `dc:<instance>:<id>`. */
  repositoryId: number;
  /** `/api/latest/projects/{projectKey}/repos/{slug}` (under `/rest`). */
  path: string;
}

/** The display name (`PROJ/slug`) the core last learnt for a repository id, or null (the repositories table). */
export type RepositoryNames = (repositoryId: string) => Promise<string | null>;

const DC_ID = /^dc:([0-9a-f]{16}):([1-9][0-9]{0,15})$/;

/**
 * The REST address of a repository of this DC instance. DC's REST paths need the project key and
 * slug (there is no resource by numeric id), so `fullName` (`PROJ/slug`, `~user/slug`) is required:
 * when the caller passes none, the name the core last learnt for the id is used (`names`).
 * PermanentError (no retry can fix it): an id that is not a DC id, an id of another DC instance
 * (`instanceId` = the installation's `hostScope`), or no known `PROJ/slug`.
 */
export async function dcAddress(repo: RepositoryRef, instanceId: string | null, names?: RepositoryNames): Promise<DcRepoAddress> {
  const m = DC_ID.exec(repo.id.trim().toLowerCase());
  if (!m) throw new PermanentError(`not a Data Center repository id: ${repo.id.slice(0, 80)} (expected dc:<instance>:<repository id>)`);
  if (m[1] !== instanceId) throw new PermanentError(`repository ${repo.id} belongs to another Data Center instance than this installation's (${instanceId ?? "none"})`);
  const fullName = repo.fullName ?? (names ? await names(repo.id) : null);
  const parts = fullName?.split("/") ?? [];
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new PermanentError(`the project key and slug (PROJ/slug) of Data Center repository ${repo.id} are not known${fullName ? ` (got "${fullName.slice(0, 80)}")` : ""}: DC's REST paths need them`);
  }
  const [projectKey, slug] = parts as [string, string];
  return { projectKey, slug, repositoryId: Number(m[2]), path: dcRepoPath(projectKey, slug) };
}
