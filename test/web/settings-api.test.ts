import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { Harness } from "../helpers/harness";
import { SettingsChange } from "../../src/models";
import { ADMIN, STRANGER, TEST_ID, WRITER, apiAs, grantDefaults, repoBase, sessionFor, pageApiTokenFor } from "./support";

interface Card {
  id: string;
  enabled: boolean;
  values: Record<string, unknown> | null;
  secrets: Record<string, { set: boolean }> | null;
  secretFields: string[];
  schema: { properties?: Record<string, { type?: string; enum?: string[]; maximum?: number }> } | null;
  copyValues: Array<{ label: string; value: string }>;
  actions: Array<{ id: string; label: string }>;
}
interface SettingsBody {
  permission: string;
  canEdit: boolean;
  integrations: Card[];
}

const SECRET = "tok-3f9a-very-secret-value";

describe("Settings API", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
    grantDefaults(h);
  });
  afterEach(() => h.close());

  const card = (body: SettingsBody) => body.integrations.find((c) => c.id === TEST_ID)!;

  it("gives an admin every card with values, secret status, JSON schema, copy values and actions", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const res = await api.get(`${repoBase(h)}/settings`);
    assert.equal(res.status, 200, res.text);
    const body = res.json<SettingsBody>();
    assert.equal(body.permission, "admin");
    assert.equal(body.canEdit, true);
    const c = card(body);
    assert.equal(c.enabled, false);
    assert.deepEqual(c.values, { enabled: false, channel: "general", threshold: 3, mode: "quiet" });
    assert.deepEqual(c.secrets, { apiToken: { set: false } });
    assert.deepEqual(c.secretFields, ["apiToken"]);
    assert.equal(c.schema?.properties?.threshold?.type, "integer");
    assert.equal(c.schema?.properties?.threshold?.maximum, 10);
    assert.deepEqual(c.schema?.properties?.mode?.enum, ["quiet", "loud"]);
    assert.ok(c.copyValues.some((v) => v.label === "Webhook URL" && v.value.includes("/inbound/test/")));
    assert.deepEqual(c.actions, [{ id: "ping", label: "Send test" }]);
    // The permission was asked of Bitbucket for this user, in the installation's workspace.
    const checks = h.fake.callsTo("GET", /\/permissions\/repositories\//);
    assert.equal(checks.length, 1);
    assert.equal(checks[0]!.auth.clientKey, h.tenant.clientKey);
    assert.match(String(checks[0]!.query.q), new RegExp(`user.account_id="${ADMIN}"`));
  });

  it("caches the permission answer briefly: a second request does not ask Bitbucket again", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    assert.equal((await api.get(`${repoBase(h)}/settings`)).status, 200);
    assert.equal((await api.get(`${repoBase(h)}/activity`)).status, 200);
    assert.equal(h.fake.callsTo("GET", /\/permissions\/repositories\//).length, 1);
  });

  it("saves a valid write, returns the card, and records who changed which fields", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const res = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { enabled: true, channel: "ops", threshold: 5 } });
    assert.equal(res.status, 200, res.text);
    const c = res.json<Card>();
    assert.equal(c.enabled, true);
    assert.equal(c.values?.channel, "ops");
    const changes = await SettingsChange.findAll();
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.actor, ADMIN);
    assert.deepEqual((JSON.parse(changes[0]!.fields) as string[]).sort(), ["channel", "enabled", "threshold"]);
    const history = await api.get(`${repoBase(h)}/settings/changes`);
    assert.equal(history.status, 200);
    const list = history.json<{ values: Array<{ integration: string; actor: string; fields: string[] }> }>().values;
    assert.equal(list[0]!.integration, TEST_ID);
    assert.equal(list[0]!.actor, ADMIN);
  });

  it("is idempotent: the same write twice changes nothing the second time", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const body = { values: { enabled: true, mode: "loud" }, secrets: { apiToken: SECRET } };
    const first = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, body);
    const second = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, body);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.deepEqual(second.json(), first.json());
    assert.equal(await SettingsChange.count(), 1);
  });

  it("refuses invalid input with field-level reasons and stores nothing", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const bad = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { threshold: 99, channel: "" } });
    assert.equal(bad.status, 400);
    const err = bad.json<{ error: string; details: { issues: Array<{ path: string; message: string }> } }>();
    assert.equal(err.error, "invalid settings");
    assert.ok(err.details.issues.some((i) => i.path === "threshold"));
    assert.ok(err.details.issues.some((i) => i.path === "channel" && i.message === "must not be empty"));

    const unknownField = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { surprise: 1 } });
    assert.equal(unknownField.status, 400);
    const secretAsValue = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { apiToken: SECRET } });
    assert.equal(secretAsValue.status, 400);
    const shortSecret = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { secrets: { apiToken: "short" } });
    assert.equal(shortSecret.status, 400);
    const badShape = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: [1, 2], extra: true });
    assert.equal(badShape.status, 400);
    assert.equal(badShape.json<{ error: string }>().error, "invalid request body");
    const notJson = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, "{not json");
    assert.equal(notJson.status, 400);
    const unknownIntegration = await api.put(`${repoBase(h)}/settings/nope`, { values: {} });
    assert.equal(unknownIntegration.status, 404);
    const badRepo = await api.get(`/repositories/not-a-uuid/settings`);
    assert.equal(badRepo.status, 400);

    const rows = await h.services.db.sequelize.query("SELECT id FROM repo_settings", { type: QueryTypes.SELECT });
    assert.equal(rows.length, 0);
    assert.equal(await SettingsChange.count(), 0);
  });

  it("never lets a secret leave the server: responses show set / not set, storage is encrypted", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const put = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { enabled: true }, secrets: { apiToken: SECRET } });
    assert.equal(put.status, 200);
    assert.ok(!put.text.includes(SECRET));
    assert.deepEqual(put.json<Card>().secrets, { apiToken: { set: true } });
    const responses = [
      await api.get(`${repoBase(h)}/settings`),
      await api.get(`${repoBase(h)}/settings/changes`),
      await api.get(`${repoBase(h)}/activity`),
      await api.post(`${repoBase(h)}/settings/${TEST_ID}/actions/ping`),
    ];
    for (const r of responses) {
      assert.equal(r.status, 200, r.text);
      assert.ok(!r.text.includes(SECRET), `secret leaked in ${r.text.slice(0, 200)}`);
    }
    // The handler-side document has it (the action used it), the database does not hold it in the clear.
    assert.equal(responses[3]!.json<{ ok: boolean }>().ok, true);
    const dump = JSON.stringify(await h.services.db.sequelize.query("SELECT * FROM repo_settings", { type: QueryTypes.SELECT }));
    assert.ok(!dump.includes(SECRET));
    // Replacing keeps it write-only; null clears it.
    const cleared = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { secrets: { apiToken: null } });
    assert.deepEqual(cleared.json<Card>().secrets, { apiToken: { set: false } });
  });

  it("runs an integration action and shows its result", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const before = await api.post(`${repoBase(h)}/settings/${TEST_ID}/actions/ping`);
    assert.deepEqual(before.json(), { ok: false, message: "Set the API token first", detail: null });
    await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { channel: "ops" }, secrets: { apiToken: SECRET } });
    const after = await api.post(`${repoBase(h)}/settings/${TEST_ID}/actions/ping`);
    assert.deepEqual(after.json(), { ok: true, message: `Pinged ops as ${ADMIN}`, detail: null });
    assert.equal((await api.post(`${repoBase(h)}/settings/${TEST_ID}/actions/nope`)).status, 404);
  });

  it("gives a non-admin a read-only view and answers 403 to every write", async () => {
    const adminApi = apiAs(h, await sessionFor(h, ADMIN));
    await adminApi.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { enabled: true, channel: "ops" }, secrets: { apiToken: SECRET } });
    const api = apiAs(h, await sessionFor(h, WRITER));
    const res = await api.get(`${repoBase(h)}/settings`);
    assert.equal(res.status, 200);
    const body = res.json<SettingsBody>();
    assert.equal(body.permission, "write");
    assert.equal(body.canEdit, false);
    const c = card(body);
    assert.equal(c.enabled, true);
    assert.equal(c.values, null);
    assert.equal(c.secrets, null);
    assert.deepEqual(c.copyValues, []);
    assert.deepEqual(c.actions, []);
    assert.ok(!res.text.includes("ops") && !res.text.includes(SECRET));
    const put = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { enabled: false } });
    assert.equal(put.status, 403);
    assert.deepEqual(put.json(), { error: "only repository admins may do this" });
    assert.equal((await api.post(`${repoBase(h)}/settings/${TEST_ID}/actions/ping`)).status, 403);
    assert.equal((await api.get(`${repoBase(h)}/settings/changes`)).status, 403);
    assert.equal(await SettingsChange.count(), 1, "the refused write stored nothing");
  });

  it("refuses a user without access to the repository", async () => {
    const api = apiAs(h, await sessionFor(h, STRANGER));
    const res = await api.get(`${repoBase(h)}/settings`);
    assert.equal(res.status, 403);
    assert.equal((await api.get(`${repoBase(h)}/activity`)).status, 403);
  });

  it("keeps another workspace out: its admin cannot read or write this repository's settings", async () => {
    const other = await h.install({ workspace: { uuid: "{0b0b0b0b-0000-4000-8000-00000000000b}", slug: "beta" }, repo: false });
    h.fake.addRepository({ workspace: "beta", slug: "gadgets", uuid: "{0c0c0c0c-0000-4000-8000-00000000000c}", clientKey: other.clientKey });
    h.fake.setRepoPermission("beta", "gadgets", ADMIN, "admin");
    // Same user, but through the other workspace's installation: acme/widgets is not in its workspace,
    // so its page is not opened for it (401), and a page API token of it bound to acme/widgets is 401 too.
    await assert.rejects(sessionFor(h, ADMIN, other), /settings page answered 401/);
    const api = apiAs(h, pageApiTokenFor(other, ADMIN, h.repo.uuid));
    const read = await api.get(`${repoBase(h)}/settings`);
    assert.equal(read.status, 401, read.text);
    const write = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { enabled: true } });
    assert.equal(write.status, 401);
    assert.equal(await SettingsChange.count(), 0);
    // Its own repository works, from a page opened for it; the page bound to acme/widgets cannot reach it.
    const gadgets = { uuid: "{0c0c0c0c-0000-4000-8000-00000000000c}", fullName: "beta/gadgets" };
    assert.equal((await api.get(`/repositories/${encodeURIComponent(gadgets.uuid)}/settings`)).status, 401);
    const ownApi = apiAs(h, await sessionFor(h, ADMIN, other, gadgets));
    const own = await ownApi.get(`/repositories/${encodeURIComponent(gadgets.uuid)}/settings`);
    assert.equal(own.status, 200, own.text);
  });

  it("answers 401 without a valid context token", async () => {
    const res = await h.fetch("GET", `/connect/api${repoBase(h)}/settings`);
    assert.equal(res.status, 401);
    const forged = await apiAs(h, "not.a.jwt").get(`${repoBase(h)}/settings`);
    assert.equal(forged.status, 401);
    // The iframe page itself needs Bitbucket's signed jwt.
    assert.equal((await h.get("/connect/settings?repoUuid=%7Bx%7D")).status, 401);
  });

  it("answers 502 when Bitbucket cannot tell the permission, and does not cache the failure", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    // One request makes 1 + 2 inline retries (HTTP_INLINE_RETRIES) before giving up.
    h.fake.inject({ method: "GET", path: /\/permissions\/repositories\//, status: 500, times: 3 });
    const res = await api.get(`${repoBase(h)}/settings`);
    assert.equal(res.status, 502);
    assert.deepEqual(res.json(), { error: "could not check your permission on Bitbucket" });
    const later = await api.get(`${repoBase(h)}/settings`);
    assert.equal(later.status, 200, later.text);
  });
});
