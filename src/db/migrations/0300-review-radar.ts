import { DataTypes } from "sequelize";
import type { Migration } from "../database";

const installationRef = {
  type: DataTypes.STRING(36),
  allowNull: false,
  primaryKey: true,
  references: { model: "installations", key: "id" },
  onDelete: "CASCADE",
} as const;

/**
 * Review radar: the per-repository cache of open pull requests (with a generation that webhooks
 * bump), build statuses of source commits, and the reminder slots that instances claim.
 */
const migration: Migration = {
  async up(q) {
    await q.createTable("review_radar_pr_cache", {
      installation_id: installationRef,
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
      generation: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      payload: { type: DataTypes.TEXT, allowNull: true },
      fetched_at: { type: DataTypes.BIGINT, allowNull: true },
      invalidated_at: { type: DataTypes.BIGINT, allowNull: true },
    });

    await q.createTable("review_radar_commit_statuses", {
      installation_id: installationRef,
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
      /** The commit hash cut to 12 characters (what the pull request list gives). */
      commit_key: { type: DataTypes.STRING(40), allowNull: false, primaryKey: true },
      statuses: { type: DataTypes.TEXT, allowNull: false },
      source: { type: DataTypes.STRING(16), allowNull: false },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("review_radar_commit_statuses", ["updated_at"], { name: "review_radar_statuses_age" });

    await q.createTable("review_radar_reminder_slots", {
      installation_id: installationRef,
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
      /** The slot in the repository's time zone, e.g. `2026-03-02T09:30 Europe/Paris`. */
      slot_key: { type: DataTypes.STRING(96), allowNull: false, primaryKey: true },
      slot_at: { type: DataTypes.BIGINT, allowNull: false },
      claimed_by: { type: DataTypes.STRING(96), allowNull: false },
      claimed_at: { type: DataTypes.BIGINT, allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false },
      /** JSON list of chat kinds already sent to (a retried job skips them). */
      sent_to: { type: DataTypes.TEXT, allowNull: false, defaultValue: "[]" },
      pull_requests: { type: DataTypes.INTEGER, allowNull: true },
      finished_at: { type: DataTypes.BIGINT, allowNull: true },
    });
    await q.addIndex("review_radar_reminder_slots", ["claimed_at"], { name: "review_radar_slots_age" });
  },
  async down(q) {
    await q.dropTable("review_radar_reminder_slots");
    await q.dropTable("review_radar_commit_statuses");
    await q.dropTable("review_radar_pr_cache");
  },
};

export = migration;
