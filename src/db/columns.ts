import { DataTypes } from "sequelize";

/** The tenant column of every table: deleted with its installation. */
export function installationRef() {
  return {
    type: DataTypes.STRING(36),
    allowNull: false,
    references: { model: "installations", key: "id" },
    onDelete: "CASCADE",
  } as const;
}
