import type { PermissionLevel } from "../host-api";
import type { DcRepoAddress } from "./address";
import type { DataCenterClient } from "./client";
import type { DcUser } from "./people";

/** Users a `filter` may match at most before the search gives up (the slug must be among them). */
const FILTER_MAX = 500;

/**
 * Is the user (by slug) among the users DC lists for these permission filters?
 * `GET /api/latest/users?permission.1=…&filter=<slug>` (9.2 spec "Permission Filters"): `filter`
 * matches names, slugs-as-names and e-mails by *contains*, so the slug is compared exactly here.
 */
async function listed(client: DataCenterClient, slug: string, filters: Record<string, string>): Promise<boolean> {
  const users = await client.dcAll<DcUser>("/api/latest/users", { ...filters, filter: slug }, FILTER_MAX);
  return users.some((u) => u.slug === slug);
}

/**
 * A user's effective permission on a repository, asked with the installation's service token:
 * `GET /api/latest/users` with a repository permission filter
 * (`permission.1=REPO_ADMIN&permission.1.projectKey=P&permission.1.repositorySlug=r&filter=<slug>`),
 * REPO_ADMIN first, then REPO_WRITE, then REPO_READ (one to three calls; callers cache the answer).
 * Chosen over `…/repos/{r}/permissions/users?filter=` because that resource (a) lists only the grants
 * made on the repository itself, missing project, global and group-derived permissions, and (b) needs
 * REPO_ADMIN, while the users resource needs only an authenticated caller, so it also works with a
 * project or repository HTTP access token, which cannot call admin or settings endpoints (BSERV-10482).
 * The filter answers the *effective* permission (project and global grants imply repository ones).
 * UNVERIFIED: a user whose slug differs from the name (names with characters a slug replaces) may
 * not be found by `filter`; such a user reads as "none".
 */
export async function dcRepositoryPermission(client: DataCenterClient, at: DcRepoAddress, slug: string): Promise<PermissionLevel> {
  const levels: Array<[string, PermissionLevel]> = [["REPO_ADMIN", "admin"], ["REPO_WRITE", "write"], ["REPO_READ", "read"]];
  for (const [permission, level] of levels) {
    const filters = { "permission.1": permission, "permission.1.projectKey": at.projectKey, "permission.1.repositorySlug": at.slug };
    if (await listed(client, slug, filters)) return level;
  }
  return "none";
}

/**
 * Is the user an admin of the DC instance (global `ADMIN` or `SYS_ADMIN`)? The same users resource
 * with a global permission filter (`permission=ADMIN&filter=<slug>`), then `SYS_ADMIN` (whether the
 * ADMIN filter already includes system admins is UNVERIFIED, so both are asked). Not
 * `admin/permissions/users`: an admin endpoint, refused to HTTP access tokens (BSERV-10482).
 */
export async function dcIsInstanceAdmin(client: DataCenterClient, slug: string): Promise<boolean> {
  if (await listed(client, slug, { permission: "ADMIN" })) return true;
  return listed(client, slug, { permission: "SYS_ADMIN" });
}
