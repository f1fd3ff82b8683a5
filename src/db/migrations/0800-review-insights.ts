import { DataTypes } from "sequelize";
import type { Migration } from "../database";
import { installationRef } from "../columns";

const repositoryKey = { type: DataTypes.STRING(64), allowNull: false, primaryKey: true } as const;

/**
 * Review insights (issue 18.3): per repository, whether insights are on and how far its backfill
 * got (a cursor that a failed run resumes from); the pull requests seen (opened, first review,
 * merged/declined), the reviews given (approvals and changes requested, with their times) and the
 * reviewers currently requested. Times are epoch ms. Rows older than INSIGHTS_RETENTION_DAYS are pruned.
 */
const migration: Migration = {
  async up(q) {
    await q.createTable("review_insights_repositories", {
      installation_id: { ...installationRef(), primaryKey: true },
      repository_uuid: repositoryKey,
      /** 1 = insights on (events are captured), 0 = off. */
      enabled: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      changed_by: { type: DataTypes.STRING(128), allowNull: true },
      changed_at: { type: DataTypes.BIGINT, allowNull: false },
      /** idle | running | done | failed. */
      backfill_status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "idle" },
      /** Bumped by each new run: a job of an older run finds it changed and stops. */
      backfill_run: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      backfill_since: { type: DataTypes.BIGINT, allowNull: true },
      /** The host's opaque cursor of the next page (null before the first page and after the last). */
      backfill_cursor: { type: DataTypes.STRING(512), allowNull: true },
      backfill_pages: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      backfill_pull_requests: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      backfill_error: { type: DataTypes.STRING(512), allowNull: true },
      backfill_started_at: { type: DataTypes.BIGINT, allowNull: true },
      backfill_finished_at: { type: DataTypes.BIGINT, allowNull: true },
    });
    await q.createTable("review_insights_pull_requests", {
      installation_id: { ...installationRef(), primaryKey: true },
      repository_uuid: repositoryKey,
      pr_id: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
      title: { type: DataTypes.STRING(512), allowNull: false },
      url: { type: DataTypes.STRING(1024), allowNull: true },
      author: { type: DataTypes.STRING(256), allowNull: true },
      /** OPEN | MERGED | DECLINED. */
      state: { type: DataTypes.STRING(16), allowNull: false },
      draft: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      created_at: { type: DataTypes.BIGINT, allowNull: false },
      closed_at: { type: DataTypes.BIGINT, allowNull: true },
      first_review_at: { type: DataTypes.BIGINT, allowNull: true },
      /** The host's `updated_on` of the newest snapshot applied (older snapshots change only facts that never go back). */
      source_updated_at: { type: DataTypes.BIGINT, allowNull: false },
      /** event | history: where the newest snapshot came from. */
      source: { type: DataTypes.STRING(16), allowNull: false },
    });
    await q.addIndex("review_insights_pull_requests", ["installation_id", "repository_uuid", "state"], { name: "review_insights_prs_state" });
    await q.addIndex("review_insights_pull_requests", ["closed_at"], { name: "review_insights_prs_closed" });
    await q.createTable("review_insights_reviews", {
      installation_id: { ...installationRef(), primaryKey: true },
      repository_uuid: repositoryKey,
      pr_id: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
      /** The reviewer's account id (Cloud) or user slug (Data Center), else uuid. */
      reviewer_key: { type: DataTypes.STRING(128), allowNull: false, primaryKey: true },
      /** approved | changes_requested. */
      state: { type: DataTypes.STRING(24), allowNull: false, primaryKey: true },
      at: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
      reviewer_name: { type: DataTypes.STRING(256), allowNull: false },
    });
    await q.addIndex("review_insights_reviews", ["installation_id", "repository_uuid", "at"], { name: "review_insights_reviews_time" });
    await q.createTable("review_insights_requests", {
      installation_id: { ...installationRef(), primaryKey: true },
      repository_uuid: repositoryKey,
      pr_id: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
      reviewer_key: { type: DataTypes.STRING(128), allowNull: false, primaryKey: true },
      reviewer_name: { type: DataTypes.STRING(256), allowNull: false },
      /** pending | approved | changes_requested: the reviewer's current verdict. */
      state: { type: DataTypes.STRING(24), allowNull: false },
    });
  },
  async down(q) {
    await q.dropTable("review_insights_requests");
    await q.dropTable("review_insights_reviews");
    await q.dropTable("review_insights_pull_requests");
    await q.dropTable("review_insights_repositories");
  },
};

export = migration;
