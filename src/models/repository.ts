import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/**
 * A repository of an installation under the id its door minted (`src/bitbucket/repository-id.ts`),
 * with its display name and host scope (migration 0003). Other tables key repositories by the same
 * id in their `repository_uuid` columns.
 */
export class RepositoryRecord extends Model<InferAttributes<RepositoryRecord>, InferCreationAttributes<RepositoryRecord>> {
  declare installationId: string;
  declare repositoryId: string;
  declare displayName: string | null;
  declare hostScope: string | null;
  declare updatedAt: number;

  static initModel(sequelize: Sequelize): void {
    RepositoryRecord.init(
      {
        installationId: { type: DataTypes.STRING(36), primaryKey: true },
        repositoryId: { type: DataTypes.STRING(64), primaryKey: true },
        displayName: { type: DataTypes.STRING(255), allowNull: true },
        hostScope: { type: DataTypes.STRING(255), allowNull: true },
        updatedAt: { type: DataTypes.BIGINT, allowNull: false },
      },
      { sequelize, tableName: "repositories", underscored: true, timestamps: false },
    );
  }
}
