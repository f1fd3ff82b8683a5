import { DataTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

/**
 * Build-alert incidents: one row per incident identity (repository + branch, or commit when the status
 * names no branch, + status key), open or closed, with the last status seen (to ignore late, older
 * deliveries) and, per target, the state last delivered to it.
 */
const migration: Migration = {
  async up(q) {
    await q.createTable("build_alert_incidents", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false },
      identity_hash: { type: DataTypes.STRING(64), allowNull: false },
      ref: { type: DataTypes.STRING(255), allowNull: true },
      status_key: { type: DataTypes.STRING(255), allowNull: false },
      dedup_key: { type: DataTypes.STRING(255), allowNull: false },
      state: { type: DataTypes.STRING(8), allowNull: false },
      seq: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      opens: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      commit_hash: { type: DataTypes.STRING(64), allowNull: true },
      last_status: { type: DataTypes.TEXT, allowNull: false },
      last_status_at: { type: DataTypes.BIGINT, allowNull: false },
      sent_alertops: { type: DataTypes.STRING(8), allowNull: true },
      sent_pagerduty: { type: DataTypes.STRING(8), allowNull: true },
      sent_webhook: { type: DataTypes.STRING(8), allowNull: true },
      opened_at: { type: DataTypes.BIGINT, allowNull: true },
      closed_at: { type: DataTypes.BIGINT, allowNull: true },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("build_alert_incidents", ["installation_id", "repository_uuid", "identity_hash"], {
      unique: true,
      name: "build_alert_incidents_identity",
    });
    await q.addIndex("build_alert_incidents", ["installation_id", "repository_uuid", "state"], { name: "build_alert_incidents_open" });
  },
  async down(q) {
    await q.dropTable("build_alert_incidents");
  },
};

export = migration;
