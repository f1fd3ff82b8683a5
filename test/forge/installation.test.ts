import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Delivery, Installation } from "../../src/models";
import { referenceJson } from "../helpers/fixtures";
import { ForgeHost, forgeEvent, makeKey } from "./forge-host";
import { decodeJwt, SignJWT } from "jose";

/** A system token that is itself a JWT with an `exp` (Forge's are; the remote treats them as opaque but for `exp`). */
async function jwtToken(expInS: number): Promise<string> {
  const { privateKey } = await makeKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({}).setProtectedHeader({ alg: "RS256" }).setIssuedAt(now).setExpirationTime(now + expInS).sign(privateKey);
}

describe("Forge front door: installations and lifecycle", () => {
  let f: ForgeHost;
  beforeEach(async () => {
    f = await ForgeHost.start();
  });
  afterEach(() => f.close());

  const lifecycle = (body: Record<string, unknown>, o: Parameters<ForgeHost["call"]>[3] = {}) =>
    f.call("POST", "/forge/lifecycle", { payload: body }, { moduleKey: "relay-lifecycle", ...o });
  const installedEvent = (installationAri = f.installationId) => ({
    ...referenceJson<Record<string, unknown>>("forge/events/avi-forge-installed-app.docs-example.json"),
    eventType: "avi:forge:installed:app",
    id: installationAri.split("/").pop(),
  });

  it("maps a Forge installation onto the installation model beside the Connect one of the same workspace", async () => {
    assert.equal((await lifecycle(installedEvent())).status, 204);
    const inst = await f.h.services.installations.findByClientKey("forge", f.installationId);
    assert.ok(inst);
    assert.equal(inst.host, "forge");
    assert.equal(inst.credentialKind, "forge-system-token");
    assert.equal(inst.appKey, "ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000000");
    assert.equal(inst.workspaceUuid, f.workspaceUuid);
    assert.equal(inst.baseApiUrl, f.fake.url);
    assert.equal(inst.baseUrl, f.fake.url);
    assert.notEqual(inst.id, f.h.tenant.installation.id, "the Connect install is another installation");
    const row = await Installation.findByPk(inst.id);
    assert.equal(row?.installedBy, "4ad9aa0c52dc1b420a791d12");
    // The Forge installation's Bitbucket client uses the system token.
    const repo = await f.h.services.bitbucketFor(inst).get<{ full_name: string }>(`/2.0/repositories/acme/widgets`);
    assert.equal(repo.full_name, "acme/widgets");
    assert.equal(f.fake.calls.at(-1)?.auth.kind, "bearer");
  });

  it("refuses a lifecycle event for another installation or without an app, with a 400", async () => {
    const other = await lifecycle(installedEvent(`ari:cloud:ecosystem::installation/${randomUUID()}`));
    assert.equal(other.status, 400);
    assert.match(other.json<{ error: string }>().error, /another installation/);
    const noApp = await lifecycle({ id: f.installationId.split("/").pop() });
    assert.equal(noApp.status, 400);
  });

  it("re-keys the workspace's installation on reinstall (new installation id), keeping its identity", async () => {
    assert.equal((await lifecycle(installedEvent())).status, 204);
    const first = await f.h.services.installations.findByClientKey("forge", f.installationId);
    f.installationId = `ari:cloud:ecosystem::installation/${randomUUID()}`;
    assert.equal((await lifecycle(installedEvent())).status, 204);
    const second = await f.h.services.installations.findByClientKey("forge", f.installationId);
    assert.equal(second?.id, first?.id);
    assert.equal(await Installation.count({ where: { host: "forge" } }), 1);
  });

  it("purges the tenant when an uninstall starts (preUninstall)", async () => {
    assert.equal((await f.event(forgeEvent("avi-bitbucket-push-repository.docs-example.json", f.workspaceUuid, f.h.repo.uuid))).status, 204);
    const inst = await f.h.services.installations.findByClientKey("forge", f.installationId);
    assert.ok(inst);
    assert.equal((await f.call("POST", "/forge/pre-uninstall", { payload: { context: { moduleKey: "relay-pre-uninstall" } } })).status, 204);
    assert.equal(await f.h.services.installations.get(inst.id), null);
    assert.equal(await Delivery.count({ where: { installationId: inst.id } }), 0);
    assert.ok(await f.h.services.installations.get(f.h.tenant.installation.id), "the Connect install is untouched");
  });

  it("purges on a verified preUninstall whatever else is missing: workspace context, allowed API host, system token, body", async () => {
    const uninstall = (body: string | undefined, o: Parameters<ForgeHost["call"]>[3]) =>
      f.fit({ moduleKey: "relay-pre-uninstall", ...o }).then((fit) => {
        const headers: Record<string, string> = { authorization: `Bearer ${fit}` };
        if (body !== undefined) headers["content-type"] = "application/json";
        return f.h.fetch("POST", "/forge/pre-uninstall", body, headers);
      });
    const provision = async () => {
      assert.equal((await f.event(forgeEvent("avi-bitbucket-push-repository.docs-example.json", f.workspaceUuid, f.h.repo.uuid))).status, 204);
      return (await f.installation()).id;
    };
    const cases: Array<[string, string | undefined, Parameters<ForgeHost["call"]>[3]]> = [
      ["no workspace in the FIT (documented {cloudId, moduleKey} context)", JSON.stringify({ context: { cloudId: "c", moduleKey: "m" } }), { noWorkspace: true }],
      ["an apiBaseUrl host the app does not send tokens to", "{}", { apiBaseUrl: "https://api.elsewhere.example" }],
      ["no body at all", undefined, {}],
      ["a truncated JSON body", '{"context":{"cloudId"', {}],
    ];
    for (const [what, body, o] of cases) {
      const id = await provision();
      const res = await uninstall(body, o);
      assert.equal(res.status, 204, `${what}: ${res.text}`);
      assert.equal(await f.h.services.installations.get(id), null, `${what}: purged`);
      assert.equal(await Delivery.count({ where: { installationId: id } }), 0, `${what}: deliveries purged`);
    }
    // An installation the app never held: nothing to purge, and nothing is provisioned just to be purged.
    f.installationId = `ari:cloud:ecosystem::installation/${randomUUID()}`;
    assert.equal((await uninstall("{}", {})).status, 204);
    assert.equal(await Installation.count({ where: { host: "forge" } }), 0);
    // Still authenticated: no FIT, or a FIT signed by another key, purges nothing.
    await provision();
    assert.equal((await f.h.fetch("POST", "/forge/pre-uninstall", "{}", { "content-type": "application/json" })).status, 401);
    assert.equal((await uninstall("{}", { key: await makeKey() })).status, 401);
    assert.ok(await f.h.services.installations.findByClientKey("forge", f.installationId));
    assert.ok(await f.h.services.installations.get(f.h.tenant.installation.id), "the Connect install is untouched");
  });

  it("stores the newest system token with the expiry read from the token, and never a shorter-lived one over it", async () => {
    const long = await jwtToken(4 * 3600);
    const short = await jwtToken(2 * 3600);
    assert.equal((await f.call("POST", "/forge/scheduled", {}, { systemToken: long })).status, 204);
    assert.equal((await f.call("POST", "/forge/scheduled", {}, { systemToken: short })).status, 204);
    const inst = (await f.h.services.installations.findByClientKey("forge", f.installationId))!;
    const stored = JSON.parse((await f.h.services.installations.secret(inst.id, "forgeSystemToken"))!) as { token: string; expiresAt: number };
    assert.equal(stored.token, long);
    assert.equal(stored.expiresAt, decodeJwt(long).exp! * 1000, "the expiry is the token's own `exp`");
  });

  it("binds the API to the repository of the invoking module", async () => {
    const ui = { moduleType: "bitbucket:repoCodeOverviewCard", moduleKey: "relay-repo-card", repositoryUuid: f.h.repo.uuid };
    assert.equal((await f.call("GET", `/forge/api/me?repoUuid=${encodeURIComponent(f.h.repo.uuid)}`, undefined, ui)).status, 200);
    const other = await f.call("GET", `/forge/api/me?repoUuid=${encodeURIComponent(`{${randomUUID()}}`)}`, undefined, ui);
    assert.equal(other.status, 401);
    assert.match(other.json<{ error: string }>().error, /repository/);
  });
});
