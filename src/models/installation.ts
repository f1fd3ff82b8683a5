import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/**
 * Which front door an installation came through (`host`) and how the app reaches Bitbucket for it
 * (`credentialKind`). Open sets: each front door adds its own by declaration merging in its folder
 * (`src/connect/index.ts`, `src/forge/index.ts`), as integrations add events to `EventMap`:
 *   declare module "../models/installation" { interface HostKinds { connect: true } interface CredentialKinds { "connect-jwt": true } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface HostKinds {}
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface CredentialKinds {}
export type HostKind = keyof HostKinds & string;
export type CredentialKind = keyof CredentialKinds & string;

/**
 * One installation of the app in one workspace, through one front door. Secrets (the Connect
 * shared secret, generated API keys) live encrypted in `secretsEnc`, bound to the row id.
 */
export class Installation extends Model<InferAttributes<Installation>, InferCreationAttributes<Installation>> {
  declare id: string;
  declare host: HostKind;
  declare clientKey: string;
  declare appKey: string;
  declare credentialKind: CredentialKind;
  /** Cloud only: the workspace UUID (null on hosts without workspaces). */
  declare workspaceUuid: string | null;
  /** The host's scope of this installation: Cloud the workspace UUID, Data Center the instance id. */
  declare hostScope: CreationOptional<string | null>;
  declare workspaceSlug: string | null;
  declare workspaceName: string | null;
  declare baseUrl: string;
  declare baseApiUrl: string;
  declare secretsEnc: string | null;
  declare installedBy: string | null;
  declare createdAt: CreationOptional<number>;
  declare updatedAt: CreationOptional<number>;

  static initModel(sequelize: Sequelize): void {
    Installation.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        host: { type: DataTypes.STRING(16), allowNull: false },
        clientKey: { type: DataTypes.STRING(255), allowNull: false },
        appKey: { type: DataTypes.STRING(64), allowNull: false },
        credentialKind: { type: DataTypes.STRING(32), allowNull: false },
        workspaceUuid: { type: DataTypes.STRING(64), allowNull: true },
        hostScope: { type: DataTypes.STRING(255), allowNull: true },
        workspaceSlug: { type: DataTypes.STRING(255), allowNull: true },
        workspaceName: { type: DataTypes.STRING(255), allowNull: true },
        baseUrl: { type: DataTypes.STRING(255), allowNull: false },
        baseApiUrl: { type: DataTypes.STRING(255), allowNull: false },
        secretsEnc: { type: DataTypes.TEXT, allowNull: true },
        installedBy: { type: DataTypes.STRING(128), allowNull: true },
        createdAt: { type: DataTypes.BIGINT, allowNull: false },
        updatedAt: { type: DataTypes.BIGINT, allowNull: false },
      },
      { sequelize, tableName: "installations", underscored: true, timestamps: false },
    );
  }
}
