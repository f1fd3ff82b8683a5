import { DataTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

/**
 * Workspace defaults (issue 19.4): one row per installation holding the defaults every repository
 * inherits field by field (same shape as `repo_settings`: non-secret documents keyed by integration,
 * secrets encrypted), and the runs of "apply to all / selected repositories" with their progress.
 */
const migration: Migration = {
  async up(q) {
    await q.createTable("workspace_settings", {
      installation_id: { ...installationRef(), primaryKey: true },
      documents: { type: DataTypes.TEXT, allowNull: false },
      secrets_enc: { type: DataTypes.TEXT, allowNull: true },
      version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
      updated_by: { type: DataTypes.STRING(128), allowNull: true },
    });
    await q.createTable("workspace_apply_runs", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      integration: { type: DataTypes.STRING(64), allowNull: false },
      /** JSON: the fields whose repository overrides are cleared (null: every field). */
      fields: { type: DataTypes.TEXT, allowNull: true },
      /** JSON: the selected repository UUIDs (null: every repository with settings of its own). */
      repositories: { type: DataTypes.TEXT, allowNull: true },
      status: { type: DataTypes.STRING(16), allowNull: false },
      total: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      done: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      /** Repositories whose settings the run changed (the others already inherited). */
      updated: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      actor: { type: DataTypes.STRING(128), allowNull: true },
      created_at: { type: DataTypes.BIGINT, allowNull: false },
      finished_at: { type: DataTypes.BIGINT, allowNull: true },
    });
    await q.addIndex("workspace_apply_runs", ["installation_id", "created_at"], { name: "workspace_apply_runs_time" });
  },
  async down(q) {
    await q.dropTable("workspace_apply_runs");
    await q.dropTable("workspace_settings");
  },
};

export = migration;
