import { DataTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

/**
 * Repositories a delivery concerns beyond the one its payload names (migration for issue 15.1): a
 * Buildkite build arrives without a repository and is routed to several; each routed repository gets
 * a row here, so that the delivery shows in that repository's activity log even when no job of its
 * own was enqueued for it (a build its filters skipped).
 */
const migration: Migration = {
  async up(q) {
    await q.createTable("delivery_repositories", {
      delivery_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        primaryKey: true,
        references: { model: "deliveries", key: "id" },
        onDelete: "CASCADE",
      },
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
      installation_id: installationRef(),
      at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("delivery_repositories", ["installation_id", "repository_uuid", "at"], { name: "delivery_repositories_repo" });
    // The activity query finds deliveries through the jobs routed to a repository.
    await q.addIndex("jobs", ["installation_id", "repository_uuid", "delivery_id"], { name: "jobs_repo_delivery" });
  },
  async down(q) {
    await q.removeIndex("jobs", "jobs_repo_delivery");
    await q.dropTable("delivery_repositories");
  },
};

export = migration;
