import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from "sequelize";

/** One "Log in with Bitbucket Data Center" redirect waiting for its callback (migration 0710). */
export class DcLoginAttempt extends Model<InferAttributes<DcLoginAttempt>, InferCreationAttributes<DcLoginAttempt>> {
  /** sha256 hex of the OAuth `state` (the state itself is only in the browser's redirect). */
  declare stateHash: string;
  declare installationId: string;
  /** sha256 hex of the nonce in the browser's login cookie (binds the callback to the browser that started it). */
  declare browserHash: string;
  /** The PKCE `code_verifier`, sealed (aad `dcLoginVerifierAad(stateHash)`). */
  declare verifierEnc: string;
  declare createdAt: number;
  /** Epoch ms. */
  declare expiresAt: number;

  static initModel(sequelize: Sequelize): void {
    DcLoginAttempt.init(
      {
        stateHash: { type: DataTypes.STRING(64), primaryKey: true },
        installationId: { type: DataTypes.STRING(36), allowNull: false },
        browserHash: { type: DataTypes.STRING(64), allowNull: false },
        verifierEnc: { type: DataTypes.TEXT, allowNull: false },
        createdAt: { type: DataTypes.BIGINT, allowNull: false },
        expiresAt: { type: DataTypes.BIGINT, allowNull: false },
      },
      { sequelize, tableName: "dc_login_attempts", underscored: true, timestamps: false },
    );
  }
}

/** A logged-in DC user's OAuth tokens for one instance (migration 0710). */
export class DcUserGrant extends Model<InferAttributes<DcUserGrant>, InferCreationAttributes<DcUserGrant>> {
  declare id: string;
  declare installationId: string;
  /** DC's numeric user id, as text. */
  declare dcUserId: string;
  declare slug: string;
  declare displayName: string;
  /** SecretBox JSON `{accessToken, refreshToken}` (aad `dcUserGrantAad(id)`). */
  declare tokensEnc: string;
  declare scope: string | null;
  /** Epoch ms. */
  declare accessExpiresAt: number;
  declare updatedAt: number;

  static initModel(sequelize: Sequelize): void {
    DcUserGrant.init(
      {
        id: { type: DataTypes.STRING(36), primaryKey: true },
        installationId: { type: DataTypes.STRING(36), allowNull: false },
        dcUserId: { type: DataTypes.STRING(20), allowNull: false },
        slug: { type: DataTypes.STRING(255), allowNull: false },
        displayName: { type: DataTypes.STRING(255), allowNull: false },
        tokensEnc: { type: DataTypes.TEXT, allowNull: false },
        scope: { type: DataTypes.STRING(255), allowNull: true },
        accessExpiresAt: { type: DataTypes.BIGINT, allowNull: false },
        updatedAt: { type: DataTypes.BIGINT, allowNull: false },
      },
      { sequelize, tableName: "dc_user_grants", underscored: true, timestamps: false },
    );
  }
}

/** Associated data of a login attempt's sealed verifier: a row's ciphertext opens only in that row. */
export function dcLoginVerifierAad(stateHash: string): string {
  return `dc_login_attempts:${stateHash}:verifier`;
}

/** Associated data of a user grant's sealed tokens. */
export function dcUserGrantAad(id: string): string {
  return `dc_user_grants:${id}:tokens`;
}

export function initDataCenterLoginModels(sequelize: Sequelize): void {
  DcLoginAttempt.initModel(sequelize);
  DcUserGrant.initModel(sequelize);
}
