import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { Harness } from "../helpers/harness";
import { bitbucketJwt } from "../helpers/jwt";
import { Delivery, Installation, Job, RepoSettingsRecord } from "../../src/models";
import { registerEchoHandler } from "../helpers/echo-handler";

describe("Connect lifecycle", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ install: false, integrations: [], registerHandlers: (r) => registerEchoHandler(r) });
  });
  afterEach(() => h.close());

  it("stores the first (unsigned) install with the shared secret encrypted at rest", async () => {
    const t = await h.install({ clientKey: "connection:first", sharedSecret: "s3cret-shared-value-1234567890" });
    assert.equal(t.installation.workspaceUuid, t.workspace.uuid);
    assert.equal(t.installation.credentialKind, "connect-jwt");
    const rows = await h.services.db.sequelize.query<{ secrets_enc: string }>("SELECT secrets_enc FROM installations", { type: QueryTypes.SELECT });
    assert.equal(rows.length, 1);
    assert.ok(!rows[0]!.secrets_enc.includes("s3cret-shared-value"), "secret must not be stored in clear");
    assert.equal((await h.services.installations.secrets(t.installation.id)).sharedSecret, "s3cret-shared-value-1234567890");
  });

  it("refuses an unsigned or forged reinstall and accepts one signed with the stored secret", async () => {
    const t = await h.install();
    const body = h.lifecyclePayload("installed", { ...t, sharedSecret: "new-secret-new-secret-0001" });
    assert.equal((await h.post("/connect/installed", body)).status, 401);
    const forged = bitbucketJwt("POST", "/connect/installed", { clientKey: t.clientKey, sharedSecret: "attacker-secret-xxxxxxxx" });
    assert.equal((await h.post("/connect/installed", body, { authorization: `JWT ${forged}` })).status, 401);
    assert.equal((await h.services.installations.secrets(t.installation.id)).sharedSecret, t.sharedSecret);
    const signed = bitbucketJwt("POST", "/connect/installed", { clientKey: t.clientKey, sharedSecret: t.sharedSecret });
    assert.equal((await h.post("/connect/installed", body, { authorization: `JWT ${signed}` })).status, 204);
    assert.equal((await h.services.installations.secrets(t.installation.id)).sharedSecret, "new-secret-new-secret-0001");
    assert.equal(await Installation.count(), 1, "a reinstall keeps the same installation");
  });

  it("rejects bad lifecycle payloads and hosts that are not allowed", async () => {
    assert.equal((await h.post("/connect/installed", { clientKey: "x" })).status, 400);
    assert.equal((await h.post("/connect/installed", "not json")).status, 400);
    const t = { clientKey: "c1", sharedSecret: "secret-secret-secret", workspace: { uuid: "{w}", slug: "w" } };
    const evil = { ...h.lifecyclePayload("installed", t), baseUrl: "https://evil.example.com", baseApiUrl: "https://evil.example.com" };
    assert.equal((await h.post("/connect/installed", evil)).status, 403);
    const otherApp = { ...h.lifecyclePayload("installed", t), key: "someone-elses-app" };
    assert.equal((await h.post("/connect/installed", otherApp)).status, 400);
    assert.equal(await Installation.count(), 0);
  });

  it("purges the tenant's settings, secrets, deliveries and queued work on a signed uninstall", async () => {
    await h.relay.worker?.stop(); // keep the job queued
    const t = await h.install();
    await RepoSettingsRecord.create({
      id: "rs-1",
      installationId: t.installation.id,
      repositoryUuid: h.repo.uuid,
      repositoryFullName: h.repo.fullName,
      documents: "{}",
      secretsEnc: null,
      updatedAt: Date.now(),
      updatedBy: null,
    });
    const push = (await import("../helpers/fixtures")).bitbucketWebhook("repo-push.real-2023.json");
    const res = await h.webhook("repo:push", (await import("../helpers/fixtures")).forRepository(push, { uuid: h.repo.uuid, fullName: h.repo.fullName }), { tenant: t });
    assert.equal(res.status, 204);
    assert.equal(await Job.count(), 1);

    const body = h.lifecyclePayload("uninstalled", t);
    assert.equal((await h.post("/connect/uninstalled", body)).status, 401, "unsigned uninstall is refused");
    assert.equal(await Installation.count(), 1);
    const signed = bitbucketJwt("POST", "/connect/uninstalled", { clientKey: t.clientKey, sharedSecret: t.sharedSecret });
    assert.equal((await h.post("/connect/uninstalled", body, { authorization: `JWT ${signed}` })).status, 204);
    assert.equal(await Installation.count(), 0);
    assert.equal(await Job.count(), 0);
    assert.equal(await Delivery.count(), 0);
    assert.equal(await RepoSettingsRecord.count(), 0);
    // A webhook signed with the old secret is now from an unknown client.
    assert.equal((await h.webhook("repo:push", push, { tenant: t })).status, 401);
  });

  it("purges on a signed uninstall whatever the body holds: only key/clientKey/eventType/baseUrl, nothing, or unreadable", async () => {
    const send = (t: { clientKey: string; sharedSecret: string }, body: string | undefined, type = "application/json") => {
      const signed = bitbucketJwt("POST", "/connect/uninstalled", { clientKey: t.clientKey, sharedSecret: t.sharedSecret });
      const headers: Record<string, string> = { authorization: `JWT ${signed}` };
      if (body !== undefined) headers["content-type"] = type;
      return h.fetch("POST", "/connect/uninstalled", body, headers);
    };
    const minimal = (t: { clientKey: string }) =>
      JSON.stringify({ key: h.services.config.appKey, clientKey: t.clientKey, eventType: "uninstalled", baseUrl: h.fake.url });
    const bodies: Array<[string, (t: { clientKey: string }) => string | undefined, string?]> = [
      ["key, clientKey, eventType and baseUrl only", minimal],
      ["no principal, no productType, a baseUrl that is not a URL", (t) => JSON.stringify({ clientKey: t.clientKey, baseUrl: "nope" })],
      ["an empty object", () => "{}"],
      ["no body", () => undefined],
      ["a truncated JSON body", (t) => minimal(t).slice(0, 20)],
      ["a form body", (t) => `clientKey=${encodeURIComponent(t.clientKey)}`, "application/x-www-form-urlencoded"],
    ];
    for (const [what, body, type] of bodies) {
      const t = await h.install();
      const res = await send(t, body(t), type);
      assert.equal(res.status, 204, `${what}: ${res.text}`);
      assert.equal(await h.services.installations.get(t.installation.id), null, `${what}: purged`);
    }
    // Still authenticated, and a body naming another tenant is refused with nothing purged.
    const a = await h.install();
    const b = await h.install();
    assert.equal((await h.fetch("POST", "/connect/uninstalled", minimal(a), { "content-type": "application/json" })).status, 401);
    assert.equal((await send(a, minimal(b))).status, 401);
    assert.equal(await Installation.count(), 2);
  });
});
