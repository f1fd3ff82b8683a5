import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/**
 * Workspace defaults of one installation: `documents` keyed by integration id (the fields the
 * workspace admin set, non-secret), `secretsEnc` the secret fields, encrypted, keyed the same way.
 */
export class WorkspaceSettingsRecord extends Model<InferAttributes<WorkspaceSettingsRecord>, InferCreationAttributes<WorkspaceSettingsRecord>> {
  declare installationId: string;
  declare documents: string;
  declare secretsEnc: string | null;
  declare version: CreationOptional<number>;
  declare updatedAt: number;
  declare updatedBy: string | null;

  static initModel(sequelize: Sequelize): void {
    WorkspaceSettingsRecord.init(
      {
        installationId: { type: DataTypes.STRING(36), primaryKey: true },
        documents: { type: DataTypes.TEXT, allowNull: false },
        secretsEnc: { type: DataTypes.TEXT, allowNull: true },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        updatedAt: { type: DataTypes.BIGINT, allowNull: false },
        updatedBy: { type: DataTypes.STRING(128), allowNull: true },
      },
      { sequelize, tableName: "workspace_settings", underscored: true, timestamps: false },
    );
  }
}

export type ApplyRunStatus = "queued" | "running" | "finished" | "failed";

/** One "apply defaults to all / selected repositories" run and its progress. */
export class WorkspaceApplyRun extends Model<InferAttributes<WorkspaceApplyRun>, InferCreationAttributes<WorkspaceApplyRun>> {
  declare id: string;
  declare installationId: string;
  declare integration: string;
  declare fields: string | null;
  declare repositories: string | null;
  declare status: ApplyRunStatus;
  declare total: CreationOptional<number>;
  declare done: CreationOptional<number>;
  declare updated: CreationOptional<number>;
  declare actor: string | null;
  declare createdAt: number;
  declare finishedAt: number | null;

  static initModel(sequelize: Sequelize): void {
    WorkspaceApplyRun.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        installationId: { type: DataTypes.STRING(36), allowNull: false },
        integration: { type: DataTypes.STRING(64), allowNull: false },
        fields: { type: DataTypes.TEXT, allowNull: true },
        repositories: { type: DataTypes.TEXT, allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false },
        total: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        done: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        updated: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        actor: { type: DataTypes.STRING(128), allowNull: true },
        createdAt: { type: DataTypes.BIGINT, allowNull: false },
        finishedAt: { type: DataTypes.BIGINT, allowNull: true },
      },
      { sequelize, tableName: "workspace_apply_runs", underscored: true, timestamps: false },
    );
  }
}
