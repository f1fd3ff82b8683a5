import { DataTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

/**
 * Buildkite: what was reported (and what should be) per repository, commit and status key, so that
 * an older event (lower build number, or an earlier state of the same build) never overwrites a
 * newer status. `event_id`… `status_body` are the newest accepted event; `reported_event_id` is the
 * one Bitbucket confirmed.
 */
const migration: Migration = {
  async up(q) {
    await q.createTable("buildkite_reported_statuses", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false },
      commit_hash: { type: DataTypes.STRING(64), allowNull: false },
      status_key: { type: DataTypes.STRING(40), allowNull: false },
      build_number: { type: DataTypes.INTEGER, allowNull: false },
      build_state: { type: DataTypes.STRING(32), allowNull: false },
      state_rank: { type: DataTypes.INTEGER, allowNull: false },
      occurred_at: { type: DataTypes.BIGINT, allowNull: false },
      event_id: { type: DataTypes.STRING(255), allowNull: false },
      status_body: { type: DataTypes.TEXT, allowNull: false },
      reported_event_id: { type: DataTypes.STRING(255), allowNull: true },
      reported_at: { type: DataTypes.BIGINT, allowNull: true },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("buildkite_reported_statuses", ["installation_id", "repository_uuid", "commit_hash", "status_key"], {
      unique: true,
      name: "buildkite_reported_statuses_key",
    });
  },
  async down(q) {
    await q.dropTable("buildkite_reported_statuses");
  },
};

export = migration;
