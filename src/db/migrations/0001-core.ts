import { DataTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

/** Installations, deliveries, the job queue, outbound calls and per-repository settings. */
const migration: Migration = {
  async up(q) {
    await q.createTable("installations", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      host: { type: DataTypes.STRING(16), allowNull: false },
      client_key: { type: DataTypes.STRING(255), allowNull: false },
      app_key: { type: DataTypes.STRING(64), allowNull: false },
      credential_kind: { type: DataTypes.STRING(32), allowNull: false },
      workspace_uuid: { type: DataTypes.STRING(64), allowNull: false },
      workspace_slug: { type: DataTypes.STRING(255), allowNull: true },
      workspace_name: { type: DataTypes.STRING(255), allowNull: true },
      base_url: { type: DataTypes.STRING(255), allowNull: false },
      base_api_url: { type: DataTypes.STRING(255), allowNull: false },
      secrets_enc: { type: DataTypes.TEXT, allowNull: true },
      installed_by: { type: DataTypes.STRING(128), allowNull: true },
      created_at: { type: DataTypes.BIGINT, allowNull: false },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("installations", ["host", "client_key"], { unique: true, name: "installations_host_client_key" });
    await q.addIndex("installations", ["workspace_uuid"], { name: "installations_workspace" });

    await q.createTable("deliveries", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      source: { type: DataTypes.STRING(32), allowNull: false },
      event_key: { type: DataTypes.STRING(128), allowNull: false },
      idempotency_key: { type: DataTypes.STRING(255), allowNull: false },
      repository_uuid: { type: DataTypes.STRING(64), allowNull: true },
      repository_full_name: { type: DataTypes.STRING(255), allowNull: true },
      payload: { type: DataTypes.TEXT, allowNull: false },
      received_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("deliveries", ["installation_id", "source", "idempotency_key"], {
      unique: true,
      name: "deliveries_idempotency",
    });
    await q.addIndex("deliveries", ["installation_id", "repository_uuid", "received_at"], { name: "deliveries_repo_time" });

    await q.createTable("jobs", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      delivery_id: {
        type: DataTypes.STRING(36),
        allowNull: true,
        references: { model: "deliveries", key: "id" },
        onDelete: "CASCADE",
      },
      repository_uuid: { type: DataTypes.STRING(64), allowNull: true },
      handler: { type: DataTypes.STRING(128), allowNull: false },
      integration: { type: DataTypes.STRING(64), allowNull: false },
      payload: { type: DataTypes.TEXT, allowNull: true },
      dedupe_key: { type: DataTypes.STRING(255), allowNull: true },
      status: { type: DataTypes.STRING(16), allowNull: false },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      max_attempts: { type: DataTypes.INTEGER, allowNull: false },
      run_at: { type: DataTypes.BIGINT, allowNull: false },
      locked_by: { type: DataTypes.STRING(64), allowNull: true },
      locked_until: { type: DataTypes.BIGINT, allowNull: true },
      last_error: { type: DataTypes.TEXT, allowNull: true },
      result: { type: DataTypes.TEXT, allowNull: true },
      replay_of: { type: DataTypes.STRING(36), allowNull: true },
      created_at: { type: DataTypes.BIGINT, allowNull: false },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
      finished_at: { type: DataTypes.BIGINT, allowNull: true },
    });
    await q.addIndex("jobs", ["status", "run_at"], { name: "jobs_claim" });
    await q.addIndex("jobs", ["installation_id", "dedupe_key"], { unique: true, name: "jobs_dedupe" });
    await q.addIndex("jobs", ["installation_id", "repository_uuid", "created_at"], { name: "jobs_repo_time" });
    await q.addIndex("jobs", ["delivery_id"], { name: "jobs_delivery" });

    await q.createTable("outbound_calls", {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      job_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        references: { model: "jobs", key: "id" },
        onDelete: "CASCADE",
      },
      attempt: { type: DataTypes.INTEGER, allowNull: false },
      target: { type: DataTypes.STRING(64), allowNull: false },
      method: { type: DataTypes.STRING(8), allowNull: false },
      url: { type: DataTypes.STRING(1024), allowNull: false },
      status: { type: DataTypes.INTEGER, allowNull: true },
      duration_ms: { type: DataTypes.INTEGER, allowNull: false },
      error: { type: DataTypes.TEXT, allowNull: true },
      created_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("outbound_calls", ["job_id"], { name: "outbound_calls_job" });

    await q.createTable("repo_settings", {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      installation_id: installationRef(),
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false },
      repository_full_name: { type: DataTypes.STRING(255), allowNull: true },
      documents: { type: DataTypes.TEXT, allowNull: false },
      secrets_enc: { type: DataTypes.TEXT, allowNull: true },
      version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      updated_at: { type: DataTypes.BIGINT, allowNull: false },
      updated_by: { type: DataTypes.STRING(128), allowNull: true },
    });
    await q.addIndex("repo_settings", ["installation_id", "repository_uuid"], { unique: true, name: "repo_settings_repo" });

    await q.createTable("settings_changes", {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      installation_id: installationRef(),
      repository_uuid: { type: DataTypes.STRING(64), allowNull: false },
      integration: { type: DataTypes.STRING(64), allowNull: false },
      actor: { type: DataTypes.STRING(128), allowNull: true },
      fields: { type: DataTypes.TEXT, allowNull: false },
      at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await q.addIndex("settings_changes", ["installation_id", "repository_uuid", "at"], { name: "settings_changes_repo" });
  },
  async down(q) {
    for (const t of ["settings_changes", "repo_settings", "outbound_calls", "jobs", "deliveries", "installations"]) {
      await q.dropTable(t);
    }
  },
};

export = migration;
