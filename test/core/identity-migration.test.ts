import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ForeignKeyConstraintError, QueryTypes, UniqueConstraintError } from "sequelize";
import { Database } from "../../src/db/database";
import { initCoreModels } from "../../src/models";
import { InstallationService } from "../../src/core/installations";
import { repositories } from "../../src/core/repositories";
import { SecretBox } from "../../src/crypto/secrets";
import { createPostgresDatabase } from "../helpers/pg";

const MIGRATION = "0003-host-neutral-identity.ts";
const WS = "{aaaaaaaa-0000-4000-8000-00000000000a}";
const REPO = "{11111111-2222-4333-8444-555555555555}";
const OTHER = "{22222222-2222-4333-8444-555555555555}";

/** A database as it was before migration 0003: every other migration run, rows of a Cloud tenant in it. */
async function olderDatabase(kind: "sqlite" | "postgres"): Promise<Database> {
  const db =
    kind === "sqlite"
      ? Database.open({ kind: "sqlite", file: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "relay-mig-")), "relay.db") })
      : Database.open({ kind: "postgres", url: await createPostgresDatabase(process.env.TEST_DATABASE_URL!, "relay_mig") });
  await db.migrate(undefined, { skip: [MIGRATION] });
  const q = (sql: string, replacements: Record<string, unknown> = {}) => db.sequelize.query(sql, { replacements });
  await q(
    `INSERT INTO installations (id, host, client_key, app_key, credential_kind, workspace_uuid, workspace_slug, base_url, base_api_url, created_at, updated_at)
     VALUES ('inst-1', 'connect', 'ck-1', 'relay', 'connect-jwt', :ws, 'acme', 'https://bitbucket.org', 'https://api.bitbucket.org', 1, 1)`,
    { ws: WS },
  );
  await q(
    `INSERT INTO repo_settings (id, installation_id, repository_uuid, repository_full_name, documents, version, updated_at)
     VALUES ('rs-1', 'inst-1', :repo, 'acme/widgets', '{}', 1, 1)`,
    { repo: REPO },
  );
  await q(
    `INSERT INTO deliveries (id, installation_id, source, event_key, idempotency_key, repository_uuid, repository_full_name, payload, received_at)
     VALUES ('d-1', 'inst-1', 'connect', 'repo:push', 'k-1', :repo, 'acme/widgets', '{}', 1),
            ('d-2', 'inst-1', 'connect', 'repo:push', 'k-2', :other, 'acme/gadgets', '{}', 2)`,
    { repo: REPO, other: OTHER },
  );
  await q(
    `INSERT INTO jobs (id, installation_id, delivery_id, repository_uuid, handler, integration, status, attempts, max_attempts, run_at, created_at, updated_at)
     VALUES ('j-1', 'inst-1', 'd-1', :repo, 'core.echo', 'core', 'done', 1, 5, 1, 1, 1)`,
    { repo: REPO },
  );
  return db;
}

async function count(db: Database, table: string): Promise<number> {
  const [row] = await db.sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`, { type: QueryTypes.SELECT });
  return Number(row!.n);
}

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`Migration 0003 (host-neutral identity) on ${kind}: existing data keeps working`, function () {
    this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
    let db: Database;
    before(async function () {
      if (kind === "postgres" && !process.env.TEST_DATABASE_URL) this.skip(); // runs in npm run test:pg
      db = await olderDatabase(kind);
      await db.migrate();
      initCoreModels(db.sequelize);
    });
    after(async () => {
      await db?.close();
    });

    it("moves no data: the tenant's settings, deliveries and jobs are all still there", async () => {
      assert.equal(await count(db, "installations"), 1);
      assert.equal(await count(db, "repo_settings"), 1);
      assert.equal(await count(db, "deliveries"), 2);
      assert.equal(await count(db, "jobs"), 1);
    });

    it("gives the installation its host scope (the workspace UUID) and reads it through the service", async () => {
      const view = await new InstallationService(db, SecretBox.fromKeyMaterial("a".repeat(64))).get("inst-1");
      assert.equal(view?.workspaceUuid, WS);
      assert.equal(view?.hostScope, WS);
    });

    it("lists every known repository under its Cloud id (the braced UUID) with its display name", async () => {
      assert.deepEqual(await repositories.get("inst-1", REPO), { id: REPO, displayName: "acme/widgets", hostScope: WS });
      assert.deepEqual(await repositories.get("inst-1", OTHER), { id: OTHER, displayName: "acme/gadgets", hostScope: WS });
      await repositories.remember({ id: "inst-1", hostScope: WS }, { id: REPO, displayName: "acme/widgets-renamed" });
      assert.equal((await repositories.get("inst-1", REPO))?.displayName, "acme/widgets-renamed");
    });

    it("takes another installation of the same host and one without a workspace, and keeps (host, client key) unique", async () => {
      const services = new InstallationService(db, SecretBox.fromKeyMaterial("a".repeat(64)));
      const second = await services.install({
        host: "connect",
        clientKey: "ck-other",
        appKey: "relay",
        credentialKind: "connect-jwt",
        workspace: { uuid: "{bbbbbbbb-0000-4000-8000-00000000000b}", slug: "beta" },
        baseUrl: "https://bitbucket.org",
        baseApiUrl: "https://api.bitbucket.org",
        secrets: {},
      });
      assert.equal(second.hostScope, "{bbbbbbbb-0000-4000-8000-00000000000b}");
      await db.sequelize.query("DELETE FROM installations WHERE id = :id", { replacements: { id: second.id } });
      await db.sequelize.query(
        `INSERT INTO installations (id, host, client_key, app_key, credential_kind, workspace_uuid, host_scope, base_url, base_api_url, created_at, updated_at)
         VALUES ('inst-2', 'datacenter', 'ck-2', 'relay', 'dc-token', NULL, 'dc:0123456789abcdef', 'https://git.example.com', 'https://git.example.com/rest', 1, 1)`,
      );
      await assert.rejects(
        db.sequelize.query(
          `INSERT INTO installations (id, host, client_key, app_key, credential_kind, workspace_uuid, base_url, base_api_url, created_at, updated_at)
           VALUES ('inst-3', 'connect', 'ck-1', 'relay', 'connect-jwt', :ws, 'https://bitbucket.org', 'https://api.bitbucket.org', 1, 1)`,
          { replacements: { ws: WS } },
        ),
        (err: unknown) => err instanceof UniqueConstraintError,
      );
    });

    it("still deletes a tenant's rows with it (foreign keys intact after the rebuild)", async () => {
      await db.sequelize.query("DELETE FROM installations WHERE id = 'inst-1'");
      for (const t of ["repo_settings", "deliveries", "jobs", "repositories"]) assert.equal(await count(db, t), 0, t);
      await assert.rejects(
        db.sequelize.query(`INSERT INTO repo_settings (id, installation_id, repository_uuid, documents, version, updated_at) VALUES ('rs-x', 'nobody', 'x', '{}', 1, 1)`),
        (err: unknown) => err instanceof ForeignKeyConstraintError,
      );
    });
  });
}
