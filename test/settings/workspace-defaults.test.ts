import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository } from "../helpers/fixtures";
import { buildkite } from "../../src/integrations/buildkite";
import { ensureApiKey } from "../../src/integrations/buildkite/credentials";
import { RepoSettingsRecord } from "../../src/models";
import { ebEvent, SHA } from "../integrations/buildkite/support";
import { API_KEY_HEADER } from "../../src/integrations/buildkite/credentials";
import { ADMIN, TEST_ID, apiAs, grantDefaults, repoBase, sessionFor } from "../web/support";
import { MEMBER, OWNER, finishedRun, grantWorkspace, workspaceApi, type RunView } from "./support";

const SECRET = "ws-token-7c1e-very-secret";
const OTHER_REPOS = ["{11111111-0000-4000-8000-000000000001}", "{22222222-0000-4000-8000-000000000002}"];

interface Defaults {
  values: Record<string, unknown>;
  secrets: Record<string, { set: boolean }>;
  set: string[];
}

describe("Workspace defaults", () => {
  let h: Harness;
  afterEach(() => h?.close());

  describe("with the test integration", () => {
    beforeEach(async () => {
      h = await Harness.start();
      grantDefaults(h);
      grantWorkspace(h);
    });

    const id = () => h.tenant.installation.id;
    const repo = () => ({ uuid: h.repo.uuid, fullName: h.repo.fullName });
    /** The effective document handlers get (`ctx.settings(id)` reads the same). */
    const docOf = async (uuid: string) => (await h.services.settings.get(id(), uuid, TEST_ID as never)) as unknown as Record<string, unknown>;

    it("a repository inherits field by field; its own fields win; it may switch the integration off", async () => {
      const ws = await workspaceApi(h, OWNER);
      const saved = await ws.put(`/workspace/defaults/${TEST_ID}`, { values: { enabled: true, channel: "ops", threshold: 5 }, secrets: { apiToken: SECRET } });
      assert.equal(saved.status, 200, saved.text);
      // Nothing stored for the repository: the handlers' settings are the defaults.
      let doc = await docOf(h.repo.uuid);
      assert.deepEqual(doc, { enabled: true, channel: "ops", threshold: 5, mode: "quiet", apiToken: SECRET });
      // The repository overrides one field: only that field is its own.
      await h.services.settings.update(id(), repo(), TEST_ID, { values: { threshold: 7 } }, ADMIN);
      doc = await docOf(h.repo.uuid);
      assert.deepEqual(doc, { enabled: true, channel: "ops", threshold: 7, mode: "quiet", apiToken: SECRET });
      // A later change of the defaults reaches the repository, except where it overrides.
      await ws.put(`/workspace/defaults/${TEST_ID}`, { values: { channel: "eng", threshold: 2 } });
      doc = await docOf(h.repo.uuid);
      assert.equal(doc.channel, "eng");
      assert.equal(doc.threshold, 7);
      // The repository card says which fields are inherited.
      const api = apiAs(h, await sessionFor(h, ADMIN));
      const card = (await api.get(`${repoBase(h)}/settings`)).json<{ integrations: Array<{ id: string; inherited: string[]; values: Record<string, unknown>; secrets: Record<string, { set: boolean }> }> }>()
        .integrations.find((c) => c.id === TEST_ID)!;
      assert.deepEqual(card.inherited, ["apiToken", "channel", "enabled"]);
      assert.equal(card.values.channel, "eng");
      assert.deepEqual(card.secrets, { apiToken: { set: true } });
      // Switched off explicitly on the repository, although the workspace switches it on.
      const off = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { enabled: false } });
      assert.equal(off.status, 200, off.text);
      assert.equal((await docOf(h.repo.uuid)).enabled, false);
      assert.deepEqual(await h.services.settings.enabledRepositories(id(), TEST_ID as never), []);
      // Back to inheriting: `inherit` drops the repository's own values.
      const back = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { inherit: ["enabled", "threshold"] });
      assert.equal(back.status, 200, back.text);
      doc = await docOf(h.repo.uuid);
      assert.equal(doc.enabled, true);
      assert.equal(doc.threshold, 2);
      assert.deepEqual(await h.services.settings.ownFields(id(), h.repo.uuid, TEST_ID), []);
    });

    it("a repository with settings stored before the defaults keeps every field it stored", async () => {
      // Rows written before this change hold every field: all of them are the repository's own.
      const row = await h.services.settings.update(id(), repo(), TEST_ID, { values: { channel: "mine" } }, ADMIN);
      assert.equal(row.channel, "mine");
      const record = (await RepoSettingsRecord.findOne({ where: { installationId: id(), repositoryUuid: h.repo.uuid } }))!;
      await record.update({ documents: JSON.stringify({ [TEST_ID]: { enabled: false, channel: "mine", threshold: 3, mode: "quiet" } }) });
      const ws = await workspaceApi(h, OWNER);
      assert.equal((await ws.put(`/workspace/defaults/${TEST_ID}`, { values: { enabled: true, threshold: 9 } })).status, 200);
      const doc = await docOf(h.repo.uuid);
      assert.equal(doc.enabled, false);
      assert.equal(doc.threshold, 3);
    });

    it("only a workspace admin reads or writes the defaults; nothing changes otherwise", async () => {
      const member = await workspaceApi(h, MEMBER);
      assert.equal((await member.get("/workspace/defaults")).status, 403);
      const refused = await member.put(`/workspace/defaults/${TEST_ID}`, { values: { enabled: true } });
      assert.equal(refused.status, 403);
      assert.match(refused.json<{ error: string }>().error, /workspace admins/);
      // A repository admin who is no workspace admin: 403 too (the repository page's token, bound to a repository, is no use either).
      const repoAdmin = apiAs(h, await sessionFor(h, ADMIN));
      assert.equal((await repoAdmin.put(`/workspace/defaults/${TEST_ID}`, { values: { enabled: true } })).status, 403);
      // No token: 401.
      const anon = await h.fetch("PUT", `/connect/api/workspace/defaults/${TEST_ID}`, JSON.stringify({ values: { enabled: true } }), { "content-type": "application/json" });
      assert.equal(anon.status, 401);
      const apply = await member.post(`/workspace/defaults/${TEST_ID}/apply`, { repositories: "all" });
      assert.equal(apply.status, 403);
      const rows = await h.services.db.sequelize.query("SELECT * FROM workspace_settings", { type: QueryTypes.SELECT });
      assert.equal(rows.length, 0);
      // The permission was asked of Bitbucket's workspace membership list with the installation's credentials.
      const checks = h.fake.callsTo("GET", /\/workspaces\/[^/]+\/permissions$/);
      assert.ok(checks.length >= 1);
      assert.equal(checks[0]!.auth.clientKey, h.tenant.clientKey);
      // The workspace page's token names no repository: every repository route refuses it.
      const owner = await workspaceApi(h, OWNER);
      assert.equal((await owner.get(`${repoBase(h)}/settings`)).status, 401);
    });

    it("secrets are write-only: shown as set / not set, stored encrypted, cleared with null", async () => {
      const ws = await workspaceApi(h, OWNER);
      const saved = await ws.put(`/workspace/defaults/${TEST_ID}`, { secrets: { apiToken: SECRET } });
      assert.equal(saved.status, 200, saved.text);
      assert.ok(!saved.text.includes(SECRET));
      assert.deepEqual(saved.json<Defaults>().secrets, { apiToken: { set: true } });
      const page = await ws.get("/workspace/defaults");
      assert.equal(page.status, 200);
      assert.ok(!page.text.includes(SECRET));
      const card = page.json<{ integrations: Array<{ id: string } & Defaults> }>().integrations.find((c) => c.id === TEST_ID)!;
      assert.deepEqual(card.set, ["apiToken"]);
      assert.equal(card.values.apiToken, undefined);
      const stored = await h.services.db.sequelize.query<{ documents: string; secrets_enc: string }>("SELECT documents, secrets_enc FROM workspace_settings", { type: QueryTypes.SELECT });
      assert.ok(!JSON.stringify(stored).includes(SECRET));
      // A secret in `values` is refused; invalid values are refused with the field named.
      const wrong = await ws.put(`/workspace/defaults/${TEST_ID}`, { values: { apiToken: "x" } });
      assert.equal(wrong.status, 400);
      const invalid = await ws.put(`/workspace/defaults/${TEST_ID}`, { values: { threshold: 99 } });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.json<{ details: { issues: Array<{ path: string }> } }>().details.issues[0]!.path, "threshold");
      const cleared = await ws.put(`/workspace/defaults/${TEST_ID}`, { secrets: { apiToken: null } });
      assert.deepEqual(cleared.json<Defaults>().secrets, { apiToken: { set: false } });
    });

    it("apply to all / selected repositories: overrides cleared in the background, with progress", async () => {
      for (const uuid of [h.repo.uuid, ...OTHER_REPOS]) {
        await h.services.settings.update(id(), { uuid, fullName: null }, TEST_ID, { values: { channel: `own-${uuid.slice(1, 3)}`, mode: "loud" } }, ADMIN);
      }
      const ws = await workspaceApi(h, OWNER);
      await ws.put(`/workspace/defaults/${TEST_ID}`, { values: { channel: "ops" } });
      // Selected repositories, one field.
      const one = await ws.post(`/workspace/defaults/${TEST_ID}/apply`, { repositories: [OTHER_REPOS[0]], fields: ["channel"] });
      assert.equal(one.status, 202, one.text);
      const first = await finishedRun(ws, one.json<RunView>().id);
      assert.deepEqual([first.status, first.total, first.done, first.updated], ["finished", 1, 1, 1]);
      assert.deepEqual(await h.services.settings.ownFields(id(), OTHER_REPOS[0]!, TEST_ID), ["mode"]);
      assert.equal((await docOf(OTHER_REPOS[1]!)).channel, "own-22");
      // All repositories, every field.
      const all = await ws.post(`/workspace/defaults/${TEST_ID}/apply`, { repositories: "all" });
      assert.equal(all.status, 202);
      const run = await finishedRun(ws, all.json<RunView>().id);
      assert.deepEqual([run.status, run.total, run.done, run.updated], ["finished", 3, 3, 3]);
      for (const uuid of [h.repo.uuid, ...OTHER_REPOS]) {
        assert.deepEqual(await h.services.settings.ownFields(id(), uuid, TEST_ID), []);
        assert.equal((await docOf(uuid)).channel, "ops");
      }
      // Bad requests: 400, nothing queued.
      assert.equal((await ws.post(`/workspace/defaults/${TEST_ID}/apply`, { repositories: ["not-a-uuid"] })).status, 400);
      assert.equal((await ws.post(`/workspace/defaults/${TEST_ID}/apply`, { repositories: "all", fields: ["nope"] })).status, 400);
      assert.equal((await ws.post(`/workspace/defaults/unknown/apply`, { repositories: "all" })).status, 404);
    });
  });

  it("a repository with no settings of its own follows the workspace default end to end: a Buildkite event reports a status", async () => {
    h = await Harness.start({ integrations: [buildkite] });
    grantWorkspace(h);
    const ws = await workspaceApi(h, OWNER);
    const saved = await ws.put("/workspace/defaults/buildkite", { values: { enabled: true } });
    assert.equal(saved.status, 200, saved.text);
    // The explicit pipeline mapping names "this repository": not a workspace default.
    const mapping = await ws.put("/workspace/defaults/buildkite", { values: { pipelines: ["my-pipeline"] } });
    assert.equal(mapping.status, 400);
    // The app knows the repository from its events (a push), nothing else.
    const push = forRepository(bitbucketWebhook("repo-push.real-2023.json"), h.repo);
    assert.ok([200, 202, 204].includes((await h.webhook("repo:push", push)).status));
    await h.drained();
    assert.equal(await RepoSettingsRecord.count(), 0);
    const apiKey = await ensureApiKey(h.services, h.tenant.installation.id);
    const res = await h.post(`/inbound/buildkite/eventbridge/${h.tenant.installation.id}`, ebEvent("eventbridge-build-finished.json"), {
      [API_KEY_HEADER]: apiKey,
      "content-type": "application/json; charset=utf-8",
    });
    assert.equal(res.status, 202, res.text);
    await h.drained();
    const [status] = h.fake.statuses("acme", "widgets", SHA);
    assert.ok(status, "a status was posted");
    assert.equal(status.state, "SUCCESSFUL");
    assert.equal(await RepoSettingsRecord.count(), 0, "still no settings of its own");
  });
});
