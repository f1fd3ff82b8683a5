import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/**
 * Settings of one repository in one installation: `documents` is a JSON object keyed by integration
 * id (non-secret fields only); `secretsEnc` holds the secret fields, encrypted, keyed the same way.
 */
export class RepoSettingsRecord extends Model<InferAttributes<RepoSettingsRecord>, InferCreationAttributes<RepoSettingsRecord>> {
  declare id: string;
  declare installationId: string;
  declare repositoryUuid: string;
  declare repositoryFullName: string | null;
  declare documents: string;
  declare secretsEnc: string | null;
  declare version: CreationOptional<number>;
  declare updatedAt: number;
  declare updatedBy: string | null;

  static initModel(sequelize: Sequelize): void {
    RepoSettingsRecord.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        installationId: { type: DataTypes.STRING(36), allowNull: false },
        repositoryUuid: { type: DataTypes.STRING(64), allowNull: false },
        repositoryFullName: { type: DataTypes.STRING(255), allowNull: true },
        documents: { type: DataTypes.TEXT, allowNull: false },
        secretsEnc: { type: DataTypes.TEXT, allowNull: true },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        updatedAt: { type: DataTypes.BIGINT, allowNull: false },
        updatedBy: { type: DataTypes.STRING(128), allowNull: true },
      },
      { sequelize, tableName: "repo_settings", underscored: true, timestamps: false },
    );
  }
}

/** Who changed which fields of which integration, and when. */
export class SettingsChange extends Model<InferAttributes<SettingsChange>, InferCreationAttributes<SettingsChange>> {
  declare id: CreationOptional<number>;
  declare installationId: string;
  declare repositoryUuid: string;
  declare integration: string;
  declare actor: string | null;
  declare fields: string;
  declare at: number;

  static initModel(sequelize: Sequelize): void {
    SettingsChange.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        installationId: { type: DataTypes.STRING(36), allowNull: false },
        repositoryUuid: { type: DataTypes.STRING(64), allowNull: false },
        integration: { type: DataTypes.STRING(64), allowNull: false },
        actor: { type: DataTypes.STRING(128), allowNull: true },
        fields: { type: DataTypes.TEXT, allowNull: false },
        at: { type: DataTypes.BIGINT, allowNull: false },
      },
      { sequelize, tableName: "settings_changes", underscored: true, timestamps: false },
    );
  }
}
