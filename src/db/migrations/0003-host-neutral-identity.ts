import { DataTypes, QueryTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

/**
 * Host-neutral identity (issue 16, step 2; see src/bitbucket/repository-id.ts).
 * - `installations.host_scope`: the host's scope of the installation (Cloud: the workspace UUID,
 *   copied from `workspace_uuid`; Data Center: the instance id), nullable; `workspace_uuid` becomes
 *   nullable (a Data Center installation has no workspace).
 * - `repositories`: one row per repository an installation has, keyed by the id its door minted
 *   (Cloud: the braced UUID already stored in every `repository_uuid` column, so no data moves),
 *   with its display name (`workspace/slug`, `PROJ/slug`) and host scope. Filled from the
 *   repositories that have settings or deliveries.
 */
/** The installations table of 0001 with `workspace_uuid` nullable and `host_scope` added. */
const INSTALLATION_COLUMNS = {
  id: { type: DataTypes.STRING(36), primaryKey: true },
  host: { type: DataTypes.STRING(16), allowNull: false },
  client_key: { type: DataTypes.STRING(255), allowNull: false },
  app_key: { type: DataTypes.STRING(64), allowNull: false },
  credential_kind: { type: DataTypes.STRING(32), allowNull: false },
  workspace_uuid: { type: DataTypes.STRING(64), allowNull: true },
  workspace_slug: { type: DataTypes.STRING(255), allowNull: true },
  workspace_name: { type: DataTypes.STRING(255), allowNull: true },
  base_url: { type: DataTypes.STRING(255), allowNull: false },
  base_api_url: { type: DataTypes.STRING(255), allowNull: false },
  secrets_enc: { type: DataTypes.TEXT, allowNull: true },
  installed_by: { type: DataTypes.STRING(128), allowNull: true },
  created_at: { type: DataTypes.BIGINT, allowNull: false },
  updated_at: { type: DataTypes.BIGINT, allowNull: false },
  host_scope: { type: DataTypes.STRING(255), allowNull: true },
};

const migration: Migration = {
  async up(q) {
    const sequelize = q.sequelize;
    const sqlite = sequelize.getDialect() === "sqlite";
    if (sqlite) {
      // SQLite cannot drop a NOT NULL: the table is rebuilt (its documented 12-step procedure) with
      // foreign keys off, so that dropping the old table does not cascade into the tables that
      // reference it; they reference it by name and find the new one.
      await sequelize.query("PRAGMA foreign_keys = OFF");
      try {
        await q.createTable("installations_new", INSTALLATION_COLUMNS);
        const cols = Object.keys(INSTALLATION_COLUMNS).filter((c) => c !== "host_scope").join(", ");
        await sequelize.query(`INSERT INTO installations_new (${cols}, host_scope) SELECT ${cols}, workspace_uuid FROM installations`);
        await sequelize.query("DROP TABLE installations");
        await sequelize.query("ALTER TABLE installations_new RENAME TO installations");
        await q.addIndex("installations", ["host", "client_key"], { unique: true, name: "installations_host_client_key" });
        await q.addIndex("installations", ["workspace_uuid"], { name: "installations_workspace" });
        const broken = await sequelize.query("PRAGMA foreign_key_check", { type: QueryTypes.SELECT });
        if (broken.length) throw new Error(`installations rebuild left ${broken.length} dangling references`);
      } finally {
        await sequelize.query("PRAGMA foreign_keys = ON");
      }
    } else {
      await q.addColumn("installations", "host_scope", { type: DataTypes.STRING(255), allowNull: true });
      await sequelize.query("UPDATE installations SET host_scope = workspace_uuid");
      await q.changeColumn("installations", "workspace_uuid", { type: DataTypes.STRING(64), allowNull: true });
    }
    await q.addIndex("installations", ["host_scope"], { name: "installations_host_scope" });

    await q.createTable("repositories", {
      installation_id: { ...installationRef(), primaryKey: true },
      repository_id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
      display_name: { type: DataTypes.STRING(255), allowNull: true },
      host_scope: { type: DataTypes.STRING(255), allowNull: true },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    // Settings name the repositories an admin configured; deliveries those Bitbucket told about.
    // The display name is the newest one known (settings first); the id is the one already stored.
    const now = Date.now();
    await sequelize.query(
      `INSERT INTO repositories (installation_id, repository_id, display_name, host_scope, updated_at)
       SELECT r.installation_id, r.repository_uuid, r.repository_full_name, i.host_scope, :now
         FROM repo_settings r JOIN installations i ON i.id = r.installation_id`,
      { replacements: { now } },
    );
    await sequelize.query(
      `INSERT INTO repositories (installation_id, repository_id, display_name, host_scope, updated_at)
       SELECT d.installation_id, d.repository_uuid, MAX(d.repository_full_name), MAX(i.host_scope), :now
         FROM deliveries d JOIN installations i ON i.id = d.installation_id
        WHERE d.repository_uuid IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM repositories x WHERE x.installation_id = d.installation_id AND x.repository_id = d.repository_uuid)
        GROUP BY d.installation_id, d.repository_uuid`,
      { replacements: { now } },
    );
  },
  /**
   * Drops `repositories` and the scope index. The nullable `workspace_uuid` and `host_scope` stay:
   * a Data Center installation may have no workspace, and on SQLite dropping a column is another
   * rebuild (sequelize's would make every column of a unique index unique on its own).
   */
  async down(q) {
    await q.dropTable("repositories");
    await q.removeIndex("installations", "installations_host_scope");
  },
};

export = migration;
