import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/**
 * queued → running → done | ignored | retrying → … → dead. `ignored` is a job that ran and decided
 * there was nothing to do (integration off, filtered); its reason is in `result`.
 */
export type JobStatus = "queued" | "running" | "retrying" | "done" | "ignored" | "dead";
export const OPEN_STATUSES: JobStatus[] = ["queued", "running", "retrying"];

/** One unit of durable work for one handler: the queue is this table. */
export class Job extends Model<InferAttributes<Job>, InferCreationAttributes<Job>> {
  declare id: string;
  declare installationId: string;
  declare deliveryId: string | null;
  declare repositoryUuid: string | null;
  declare handler: string;
  declare integration: string;
  declare payload: string | null;
  declare dedupeKey: string | null;
  declare status: JobStatus;
  declare attempts: CreationOptional<number>;
  declare maxAttempts: number;
  declare runAt: number;
  declare lockedBy: string | null;
  declare lockedUntil: number | null;
  declare lastError: string | null;
  declare result: string | null;
  declare replayOf: string | null;
  declare createdAt: number;
  declare updatedAt: number;
  declare finishedAt: number | null;

  static initModel(sequelize: Sequelize): void {
    Job.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        installationId: { type: DataTypes.STRING(36), allowNull: false },
        deliveryId: { type: DataTypes.STRING(36), allowNull: true },
        repositoryUuid: { type: DataTypes.STRING(64), allowNull: true },
        handler: { type: DataTypes.STRING(128), allowNull: false },
        integration: { type: DataTypes.STRING(64), allowNull: false },
        payload: { type: DataTypes.TEXT, allowNull: true },
        dedupeKey: { type: DataTypes.STRING(255), allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        maxAttempts: { type: DataTypes.INTEGER, allowNull: false },
        runAt: { type: DataTypes.BIGINT, allowNull: false },
        lockedBy: { type: DataTypes.STRING(64), allowNull: true },
        lockedUntil: { type: DataTypes.BIGINT, allowNull: true },
        lastError: { type: DataTypes.TEXT, allowNull: true },
        result: { type: DataTypes.TEXT, allowNull: true },
        replayOf: { type: DataTypes.STRING(36), allowNull: true },
        createdAt: { type: DataTypes.BIGINT, allowNull: false },
        updatedAt: { type: DataTypes.BIGINT, allowNull: false },
        finishedAt: { type: DataTypes.BIGINT, allowNull: true },
      },
      { sequelize, tableName: "jobs", underscored: true, timestamps: false },
    );
  }
}
