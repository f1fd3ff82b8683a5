import { UniqueConstraintError } from "sequelize";
import { RepositoryRecord } from "../models";
import { sameName } from "./names";
import type { InstallationView } from "./installations";

export interface KnownRepository {
  /** The id the installation's door minted (`src/bitbucket/repository-id.ts`). */
  id: string;
  /** `workspace/slug` (Cloud) or `PROJ/slug` (Data Center), null when never learnt. */
  displayName: string | null;
  hostScope: string | null;
}

/**
 * The repositories table (migration 0003): an installation's repositories by door-minted id, with
 * the display name last learnt from the host. Rows go with their installation (ON DELETE CASCADE).
 */
export const repositories = {
  /** Records (or renames) a repository; writes only when something changed. */
  async remember(installation: Pick<InstallationView, "id" | "hostScope">, repo: { id: string; displayName: string | null }): Promise<void> {
    const where = { installationId: installation.id, repositoryId: repo.id };
    const row = await RepositoryRecord.findOne({ where });
    if (!row) {
      try {
        await RepositoryRecord.create({ ...where, displayName: repo.displayName, hostScope: installation.hostScope, updatedAt: Date.now() });
      } catch (err) {
        if (!(err instanceof UniqueConstraintError)) throw err; // recorded at the same time by another request
      }
      return;
    }
    if (repo.displayName && repo.displayName !== row.displayName) await row.update({ displayName: repo.displayName, updatedAt: Date.now() });
  },

  /**
   * The installation's repository with this display name (`workspace/slug`, `PROJ/slug`), compared
   * case-insensitively (Cloud slugs and DC project keys and slugs are unique regardless of case), or null.
   */
  async findByDisplayName(installationId: string, displayName: string): Promise<KnownRepository | null> {
    const rows = await RepositoryRecord.findAll({ where: { installationId } });
    const row = rows.find((r) => sameName(r.displayName, displayName, { ignoreCase: true }));
    return row ? { id: row.repositoryId, displayName: row.displayName, hostScope: row.hostScope } : null;
  },

  async get(installationId: string, id: string): Promise<KnownRepository | null> {
    const row = await RepositoryRecord.findOne({ where: { installationId, repositoryId: id } });
    return row ? { id: row.repositoryId, displayName: row.displayName, hostScope: row.hostScope } : null;
  },
};
