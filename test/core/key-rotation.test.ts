import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { QueryTypes } from "sequelize";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { pushPayload } from "../helpers/echo-handler";
import { SecretBox } from "../../src/crypto/secrets";
import { isEncryptionKey } from "../../src/config/config";
import { reencryptSecrets, sealedColumns } from "../../src/crypto/rotation";

const OLD = "1".repeat(64);
const NEW = Buffer.alloc(32, 9).toString("base64");
const ROUTING_KEY = "R0TAT10N-routing-key-0123456789";
const WORKSPACE_ROUTING_KEY = "W0RKSPACE-routing-key-0123456789";

/** Every sealed value of the database, opened with `box` (throws when one does not open). */
async function openAll(h: Harness, box: SecretBox): Promise<number> {
  let n = 0;
  for (const c of sealedColumns()) {
    const rows = await h.services.db.sequelize.query<Record<string, string>>(`SELECT ${c.keys.join(", ")}, ${c.column} AS sealed FROM ${c.table} WHERE ${c.column} IS NOT NULL`, {
      type: QueryTypes.SELECT,
    });
    for (const r of rows) box.decrypt(r.sealed!, c.aad(r));
    n += rows.length;
  }
  return n;
}

function sameDatabase(h: Harness): Record<string, string> {
  const db = h.services.config.database;
  return db.kind === "postgres" ? { DATABASE_URL: db.url } : { SQLITE_FILE: db.file };
}

describe("ENCRYPTION_KEY rotation (SQLite, and PostgreSQL under test:pg)", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });

  it("new key + previous key: every stored secret is re-encrypted in the background; then the old key can be removed", async () => {
    const h1 = await Harness.start({ env: { ENCRYPTION_KEY: OLD } });
    open.push(h1);
    const installationId = h1.tenant.installation.id;
    await h1.services.settings.update(installationId, { uuid: h1.repo.uuid, fullName: h1.repo.fullName }, "build-alerts", { secrets: { pagerdutyRoutingKey: ROUTING_KEY } }, "test");
    await h1.services.installations.setSecret(installationId, "apiKey", "generated-api-key");
    await h1.services.settings.updateDefaults(installationId, "build-alerts", { secrets: { pagerdutyRoutingKey: WORKSPACE_ROUTING_KEY } }, "test");
    const stored = await openAll(h1, SecretBox.fromKeyMaterial(OLD));
    assert.ok(stored >= 3, "an installation, a repository and the workspace defaults have secrets");
    const tenant = h1.tenant;
    const db = sameDatabase(h1);
    await h1.close();
    open.pop();

    // The rotation: new key current, old key previous. Secrets read at once, the pass moves them.
    const h2 = await Harness.start({ env: { ...db, ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: OLD }, fake: h1.fake, install: false });
    open.push(h2);
    assert.equal((await h2.services.settings.get(installationId, h1.repo.uuid, "build-alerts")).pagerdutyRoutingKey, ROUTING_KEY);
    const newOnly = SecretBox.fromKeyMaterial(NEW);
    await waitFor(() => openAll(h2, newOnly).then(() => true, () => false), "every secret under the new key");
    const metrics = await h2.get("/metrics");
    assert.match(metrics.text, /relay_secrets_reencrypted_total\{table="installations"\} [1-9]/);
    assert.match(metrics.text, /relay_secrets_reencrypted_total\{table="repo_settings"\} [1-9]/);
    assert.match(metrics.text, /relay_secrets_reencrypted_total\{table="workspace_settings"\} [1-9]/);
    // Idempotent: a second pass finds nothing to move.
    const again = await reencryptSecrets({ db: h2.services.db, box: h2.services.box, log: h2.services.log });
    assert.deepEqual({ reencrypted: again.reencrypted, unreadable: again.unreadable }, { reencrypted: 0, unreadable: 0 });
    assert.equal(again.scanned, stored);
    await h2.close();
    open.pop();

    // The old key removed: everything still decrypts, and Bitbucket's signed webhooks verify (shared secret).
    const h3 = await Harness.start({ env: { ...db, ENCRYPTION_KEY: NEW }, fake: h1.fake, install: false });
    open.push(h3);
    h3.tenant = tenant;
    assert.equal((await h3.services.settings.get(installationId, h1.repo.uuid, "build-alerts")).pagerdutyRoutingKey, ROUTING_KEY);
    assert.equal(await h3.services.installations.secret(installationId, "apiKey"), "generated-api-key");
    const push = pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h1.repo.uuid, fullName: h1.repo.fullName, workspaceUuid: tenant.workspace.uuid }), "6ca0691239785a619fa1dce7bf1073f50499cd60");
    assert.equal((await h3.webhook("repo:push", push)).status, 204);
  });

  it("every column that holds sealed text (`*_enc`) is one the rotation walks", async () => {
    const h = await Harness.start({ env: { WORKER_ENABLED: "false" }, install: false });
    open.push(h);
    const q = h.services.db.sequelize.getQueryInterface();
    const tables = ((await q.showAllTables()) as Array<string | { tableName: string }>).map((t) => (typeof t === "string" ? t : t.tableName));
    const walked = new Set(sealedColumns().map((c) => `${c.table}.${c.column}`));
    for (const table of tables) {
      for (const column of Object.keys(await q.describeTable(table))) {
        if (column.endsWith("_enc")) assert.ok(walked.has(`${table}.${column}`), `${table}.${column} holds secrets but is not registered for rotation`);
      }
    }
  });

  it("a value no configured key opens is counted and logged, not fatal; the rest still move", async () => {
    const h = await Harness.start({ env: { ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: OLD, WORKER_ENABLED: "false" } });
    open.push(h);
    const id = h.tenant.installation.id;
    const stranger = SecretBox.fromKeyMaterial("2".repeat(64));
    const old = SecretBox.fromKeyMaterial(OLD);
    await h.services.db.sequelize.query("UPDATE installations SET secrets_enc = :v WHERE id = :id", {
      replacements: { id, v: stranger.encryptJson({ sharedSecret: "x" }, `installation:${id}`) },
    });
    await h.services.settings.update(id, { uuid: h.repo.uuid, fullName: h.repo.fullName }, "build-alerts", { secrets: { pagerdutyRoutingKey: ROUTING_KEY } }, "test");
    await h.services.db.sequelize.query("UPDATE repo_settings SET secrets_enc = :v WHERE installation_id = :id", {
      replacements: { id, v: old.encrypt(JSON.stringify({ "build-alerts": { pagerdutyRoutingKey: ROUTING_KEY } }), `repo-settings:${id}:${h.repo.uuid}`) },
    });
    const result = await reencryptSecrets({ db: h.services.db, box: h.services.box, log: h.services.log, metrics: h.services.metrics });
    assert.deepEqual(result, { scanned: 2, reencrypted: 1, unreadable: 1 });
    assert.equal((await h.services.settings.get(id, h.repo.uuid, "build-alerts")).pagerdutyRoutingKey, ROUTING_KEY);
  });

  it("`generate-key` prints a new key ENCRYPTION_KEY accepts (and reads no configuration)", async () => {
    const root = path.resolve(__dirname, "../..");
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/main.ts", "generate-key"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production" },
    });
    const key = stdout.trim();
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.ok(isEncryptionKey(key));
  });
});
