import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

export type SyncOutcome = "running" | "retrying" | "synced" | "unchanged" | "archived_proton_unavailable" | "too_large" | "failed";
/** What one registration target made of one version. */
export type TargetState = "pending" | "done" | "skipped" | "unavailable" | "failed";

/** One sync of one commit: the activity view's history row. */
export class ProtonSync extends Model<InferAttributes<ProtonSync>, InferCreationAttributes<ProtonSync>> {
  declare id: string;
  declare installationId: string;
  declare repositoryUuid: string;
  declare jobId: string | null;
  declare commit: string;
  declare branch: string;
  declare s3Bucket: string | null;
  declare s3Key: string | null;
  declare sizeBytes: number | null;
  declare archiveSha256: string | null;
  /** JSON: VersionSummary[] */
  declare versions: string | null;
  /** JSON: Rejection[] */
  declare rejected: string | null;
  declare outcome: SyncOutcome;
  declare reason: string | null;
  declare archivedAt: number | null;
  declare startedAt: number;
  declare finishedAt: number | null;
  declare durationMs: number | null;

  static initModel(sequelize: Sequelize): void {
    ProtonSync.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        installationId: { type: DataTypes.STRING(36), allowNull: false },
        repositoryUuid: { type: DataTypes.STRING(64), allowNull: false },
        jobId: { type: DataTypes.STRING(36), allowNull: true },
        commit: { type: DataTypes.STRING(64), allowNull: false },
        branch: { type: DataTypes.STRING(255), allowNull: false },
        s3Bucket: { type: DataTypes.STRING(63), allowNull: true },
        s3Key: { type: DataTypes.STRING(1024), allowNull: true },
        sizeBytes: { type: DataTypes.BIGINT, allowNull: true },
        archiveSha256: { type: DataTypes.STRING(64), allowNull: true },
        versions: { type: DataTypes.TEXT, allowNull: true },
        rejected: { type: DataTypes.TEXT, allowNull: true },
        outcome: { type: DataTypes.STRING(32), allowNull: false },
        reason: { type: DataTypes.TEXT, allowNull: true },
        archivedAt: { type: DataTypes.BIGINT, allowNull: true },
        startedAt: { type: DataTypes.BIGINT, allowNull: false },
        finishedAt: { type: DataTypes.BIGINT, allowNull: true },
        durationMs: { type: DataTypes.INTEGER, allowNull: true },
      },
      { sequelize, tableName: "proton_syncs", underscored: true, timestamps: false },
    );
  }
}

/** A template version (template, major, content hash) and its state at each registration target. */
export class ProtonTemplateVersion extends Model<InferAttributes<ProtonTemplateVersion>, InferCreationAttributes<ProtonTemplateVersion>> {
  declare id: string;
  declare installationId: string;
  declare repositoryUuid: string;
  declare template: string;
  declare kind: "environment" | "service";
  declare major: number;
  /** The app's own minor numbering per major (0, 1, …); Proton's own is in protonVersion. */
  declare minor: number;
  declare contentHash: string;
  declare bundleBucket: string;
  declare bundleKey: string;
  declare commit: string;
  declare syncId: string;
  /** JSON: RegistrationInfo (compatible environments, component sources, pipeline provisioning). */
  declare registration: string | null;
  declare protonState: TargetState;
  declare protonVersion: string | null;
  declare protonReason: string | null;
  declare eventState: TargetState;
  declare eventReason: string | null;
  declare detectedAt: number;
  declare updatedAt: number;

  static initModel(sequelize: Sequelize): void {
    ProtonTemplateVersion.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        installationId: { type: DataTypes.STRING(36), allowNull: false },
        repositoryUuid: { type: DataTypes.STRING(64), allowNull: false },
        template: { type: DataTypes.STRING(100), allowNull: false },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        major: { type: DataTypes.INTEGER, allowNull: false },
        minor: { type: DataTypes.INTEGER, allowNull: false },
        contentHash: { type: DataTypes.STRING(64), allowNull: false },
        bundleBucket: { type: DataTypes.STRING(63), allowNull: false },
        bundleKey: { type: DataTypes.STRING(1024), allowNull: false },
        commit: { type: DataTypes.STRING(64), allowNull: false },
        syncId: { type: DataTypes.STRING(36), allowNull: false },
        registration: { type: DataTypes.TEXT, allowNull: true },
        protonState: { type: DataTypes.STRING(16), allowNull: false },
        protonVersion: { type: DataTypes.STRING(32), allowNull: true },
        protonReason: { type: DataTypes.TEXT, allowNull: true },
        eventState: { type: DataTypes.STRING(16), allowNull: false },
        eventReason: { type: DataTypes.TEXT, allowNull: true },
        detectedAt: { type: DataTypes.BIGINT, allowNull: false },
        updatedAt: { type: DataTypes.BIGINT, allowNull: false },
      },
      { sequelize, tableName: "proton_template_versions", underscored: true, timestamps: false },
    );
  }
}

export interface RegistrationInfo {
  compatibleEnvironments: Array<{ templateName: string; majorVersion: string }>;
  supportedComponentSources: string[];
  customerManagedPipeline: boolean;
}

export function initProtonModels(sequelize: Sequelize): void {
  ProtonSync.initModel(sequelize);
  ProtonTemplateVersion.initModel(sequelize);
}
