import { DataTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

/** Who replayed a dead job from the activity log, and when (the replay itself is a job with `replay_of`). */
const migration: Migration = {
  async up(q) {
    await q.createTable("job_replays", {
      job_id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      replay_of: { type: DataTypes.STRING(36), allowNull: false },
      actor: { type: DataTypes.STRING(128), allowNull: true },
      at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("job_replays", ["installation_id", "replay_of"], { name: "job_replays_of" });
    await q.addIndex("job_replays", ["at"], { name: "job_replays_at" });
  },
  async down(q) {
    await q.dropTable("job_replays");
  },
};

export = migration;
