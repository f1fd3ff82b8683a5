import { DataTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

/**
 * Data Center repository webhooks (issue 16): one row per repository of a DC installation whose
 * webhook the app registered (or tried to): where it lives on DC (project key, slug, DC's webhook
 * id), its signing secret(s) sealed with the row (`secrets_enc`, SecretBox; rotation.ts walks it),
 * the events registered, and the last check's outcome for the settings page and the repair loop.
 */
const migration: Migration = {
  async up(q) {
    await q.createTable("datacenter_webhooks", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      /** The door-minted id `dc:<instance>:<repository id>`. */
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false },
      project_key: { type: DataTypes.STRING(128), allowNull: false },
      repository_slug: { type: DataTypes.STRING(128), allowNull: false },
      /** DC's `RestWebhook.id`; null while none is registered (never created, or removed). */
      webhook_id: { type: DataTypes.BIGINT, allowNull: true },
      /** SecretBox text of `{current, next?, previous?, previousUntil?}`, bound to the row. */
      secrets_enc: { type: DataTypes.TEXT, allowNull: true },
      /** JSON array of the DC event keys registered. */
      events: { type: DataTypes.TEXT, allowNull: true },
      /** registered | repaired | unchanged | removed | failed */
      last_outcome: { type: DataTypes.STRING(16), allowNull: false },
      last_error: { type: DataTypes.TEXT, allowNull: true },
      /** JSON `{outcome, event, at}` of DC's latest invocation of the webhook (`…/webhooks/{id}/latest`), when DC offers it. */
      last_delivery: { type: DataTypes.TEXT, allowNull: true },
      checked_at: { type: DataTypes.BIGINT, allowNull: false },
      created_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("datacenter_webhooks", ["installation_id", "repository_uuid"], { unique: true, name: "datacenter_webhooks_repo" });
  },
  async down(q) {
    await q.dropTable("datacenter_webhooks");
  },
};

export = migration;
