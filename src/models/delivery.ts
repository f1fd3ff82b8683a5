import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/**
 * Where an inbound event came from. The core's own sources are here; front doors and integrations
 * that receive deliveries add theirs by declaration merging in their folder:
 *   declare module "../models/delivery" { interface DeliverySources { forge: true } }
 */
export interface DeliverySources {
  /** Work a schedule started (review radar digests). */
  schedule: true;
  /** A delivery replayed from the activity log. */
  replay: true;
}
export type DeliverySource = keyof DeliverySources & string;

/** An accepted inbound event, stored before it is acknowledged. */
export class Delivery extends Model<InferAttributes<Delivery>, InferCreationAttributes<Delivery>> {
  declare id: string;
  declare installationId: string;
  declare source: DeliverySource;
  declare eventKey: string;
  declare idempotencyKey: string;
  declare repositoryUuid: string | null;
  declare repositoryFullName: string | null;
  declare payload: string;
  declare receivedAt: number;
  /** SHA-256 of the sender's token (Connect JWT), for replay detection. */
  declare tokenHash: CreationOptional<string | null>;

  static initModel(sequelize: Sequelize): void {
    Delivery.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        installationId: { type: DataTypes.STRING(36), allowNull: false },
        source: { type: DataTypes.STRING(32), allowNull: false },
        eventKey: { type: DataTypes.STRING(128), allowNull: false },
        idempotencyKey: { type: DataTypes.STRING(255), allowNull: false },
        repositoryUuid: { type: DataTypes.STRING(64), allowNull: true },
        repositoryFullName: { type: DataTypes.STRING(255), allowNull: true },
        payload: { type: DataTypes.TEXT, allowNull: false },
        receivedAt: { type: DataTypes.BIGINT, allowNull: false },
        tokenHash: { type: DataTypes.STRING(64), allowNull: true },
      },
      { sequelize, tableName: "deliveries", underscored: true, timestamps: false },
    );
  }
}
