import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** An outbound HTTP call made while a job ran, for the activity log. */
export class OutboundCallRecord extends Model<InferAttributes<OutboundCallRecord>, InferCreationAttributes<OutboundCallRecord>> {
  declare id: CreationOptional<number>;
  declare jobId: string;
  declare attempt: number;
  declare target: string;
  declare method: string;
  declare url: string;
  declare status: number | null;
  declare durationMs: number;
  declare error: string | null;
  declare createdAt: number;

  static initModel(sequelize: Sequelize): void {
    OutboundCallRecord.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        jobId: { type: DataTypes.STRING(36), allowNull: false },
        attempt: { type: DataTypes.INTEGER, allowNull: false },
        target: { type: DataTypes.STRING(64), allowNull: false },
        method: { type: DataTypes.STRING(8), allowNull: false },
        url: { type: DataTypes.STRING(1024), allowNull: false },
        status: { type: DataTypes.INTEGER, allowNull: true },
        durationMs: { type: DataTypes.INTEGER, allowNull: false },
        error: { type: DataTypes.TEXT, allowNull: true },
        createdAt: { type: DataTypes.BIGINT, allowNull: false },
      },
      { sequelize, tableName: "outbound_calls", underscored: true, timestamps: false },
    );
  }
}
