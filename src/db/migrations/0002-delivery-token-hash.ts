import { DataTypes } from "sequelize";
import type { Migration } from "../database";

/** Hash of (JWT, body) a delivery came with: the same pair under another delivery id is a replay. */
const migration: Migration = {
  async up(q) {
    await q.addColumn("deliveries", "token_hash", { type: DataTypes.STRING(64), allowNull: true });
    await q.addIndex("deliveries", ["installation_id", "token_hash"], { unique: true, name: "deliveries_token_hash" });
  },
  async down(q) {
    await q.removeIndex("deliveries", "deliveries_token_hash");
    await q.removeColumn("deliveries", "token_hash");
  },
};

export = migration;
