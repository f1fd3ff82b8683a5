import { DataTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

/**
 * Proton sync: one row per sync of a commit (the activity view's history), and one row per template
 * version detected (content hash per template major, and what each registration target made of it).
 */
const migration: Migration = {
  async up(q) {
    await q.createTable("proton_syncs", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false },
      job_id: { type: DataTypes.STRING(36), allowNull: true },
      commit: { type: DataTypes.STRING(64), allowNull: false },
      branch: { type: DataTypes.STRING(255), allowNull: false },
      s3_bucket: { type: DataTypes.STRING(63), allowNull: true },
      s3_key: { type: DataTypes.STRING(1024), allowNull: true },
      size_bytes: { type: DataTypes.BIGINT, allowNull: true },
      archive_sha256: { type: DataTypes.STRING(64), allowNull: true },
      versions: { type: DataTypes.TEXT, allowNull: true },
      rejected: { type: DataTypes.TEXT, allowNull: true },
      outcome: { type: DataTypes.STRING(32), allowNull: false },
      reason: { type: DataTypes.TEXT, allowNull: true },
      archived_at: { type: DataTypes.BIGINT, allowNull: true },
      started_at: { type: DataTypes.BIGINT, allowNull: false },
      finished_at: { type: DataTypes.BIGINT, allowNull: true },
      duration_ms: { type: DataTypes.INTEGER, allowNull: true },
    });
    await q.addIndex("proton_syncs", ["installation_id", "repository_uuid", "started_at"], { name: "proton_syncs_repo_time" });
    await q.addIndex("proton_syncs", ["job_id"], { name: "proton_syncs_job" });

    await q.createTable("proton_template_versions", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false },
      template: { type: DataTypes.STRING(100), allowNull: false },
      kind: { type: DataTypes.STRING(16), allowNull: false },
      major: { type: DataTypes.INTEGER, allowNull: false },
      minor: { type: DataTypes.INTEGER, allowNull: false },
      content_hash: { type: DataTypes.STRING(64), allowNull: false },
      bundle_bucket: { type: DataTypes.STRING(63), allowNull: false },
      bundle_key: { type: DataTypes.STRING(1024), allowNull: false },
      commit: { type: DataTypes.STRING(64), allowNull: false },
      sync_id: { type: DataTypes.STRING(36), allowNull: false },
      registration: { type: DataTypes.TEXT, allowNull: true },
      proton_state: { type: DataTypes.STRING(16), allowNull: false },
      proton_version: { type: DataTypes.STRING(32), allowNull: true },
      proton_reason: { type: DataTypes.TEXT, allowNull: true },
      event_state: { type: DataTypes.STRING(16), allowNull: false },
      event_reason: { type: DataTypes.TEXT, allowNull: true },
      detected_at: { type: DataTypes.BIGINT, allowNull: false },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("proton_template_versions", ["installation_id", "repository_uuid", "template", "major", "minor"], {
      unique: true,
      name: "proton_versions_minor",
    });
    await q.addIndex("proton_template_versions", ["sync_id"], { name: "proton_versions_sync" });
  },
  async down(q) {
    await q.dropTable("proton_template_versions");
    await q.dropTable("proton_syncs");
  },
};

export = migration;
