import { DataTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

/**
 * "Log in with Bitbucket Data Center" (issue 16): server-side state of the OAuth 2.0 login.
 * - `dc_login_attempts`: one row per authorize redirect, keyed by the sha256 of its `state`; holds
 *   the PKCE verifier (sealed), the sha256 of the browser-binding nonce (the login cookie) and an
 *   expiry. The callback deletes the row it uses (single use); expired rows are deleted on the way.
 * - `dc_user_grants`: the OAuth tokens of a logged-in DC user (sealed, never in the cookie), one row
 *   per installation (DC instance) and DC user id, refreshed when the access token expires.
 */
const migration: Migration = {
  async up(q) {
    await q.createTable("dc_login_attempts", {
      state_hash: { type: DataTypes.STRING(64), primaryKey: true },
      installation_id: installationRef(),
      browser_hash: { type: DataTypes.STRING(64), allowNull: false },
      verifier_enc: { type: DataTypes.TEXT, allowNull: false },
      created_at: { type: DataTypes.BIGINT, allowNull: false },
      expires_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("dc_login_attempts", ["expires_at"], { name: "dc_login_attempts_expiry" });
    await q.createTable("dc_user_grants", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      /** DC's numeric `RestApplicationUser.id`, as text: the stable key (slugs and names can change). */
      dc_user_id: { type: DataTypes.STRING(20), allowNull: false },
      slug: { type: DataTypes.STRING(255), allowNull: false },
      display_name: { type: DataTypes.STRING(255), allowNull: false },
      /** SecretBox JSON `{accessToken, refreshToken}` (aad: the row id). */
      tokens_enc: { type: DataTypes.TEXT, allowNull: false },
      scope: { type: DataTypes.STRING(255), allowNull: true },
      /** Epoch ms after which the access token is refreshed before use. */
      access_expires_at: { type: DataTypes.BIGINT, allowNull: false },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("dc_user_grants", ["installation_id", "dc_user_id"], { unique: true, name: "dc_user_grants_user" });
  },
  async down(q) {
    await q.dropTable("dc_user_grants");
    await q.dropTable("dc_login_attempts");
  },
};

export = migration;
