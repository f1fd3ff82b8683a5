import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { ForgeHost } from "../forge/forge-host";
import { ADMIN } from "../web/support";
import { INTEGRATIONS } from "../../src/integrations";
import { FORGE_PATHS } from "../../src/forge";
import { Delivery, Installation, Job, RepoSettingsRecord, SettingsChange } from "../../src/models";
import { apiRoutes, requestFor } from "./api-routes";

const integrations = INTEGRATIONS.map((i) => ({ ...i, background: undefined }));
const SIBLING = "{0d0d0d0d-0000-4000-8000-00000000000d}";
const UI = { moduleType: "bitbucket:repoSettingsMenuPage", moduleKey: "relay-settings" } as const;

async function snapshot(): Promise<string> {
  return JSON.stringify(await Promise.all([Delivery.count(), Job.count(), Installation.count(), RepoSettingsRecord.count(), SettingsChange.count()]));
}

/**
 * The Forge door's half of "a token proves one thing": a FIT of a trigger is no UI token, a UI
 * module's FIT (whose invokeRemote path the user picks) reaches no event or lifecycle endpoint, and a
 * module's FIT acts only on the repository it was rendered for.
 */
describe("Resilience: Forge Invocation Tokens prove one kind of invocation", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let f: ForgeHost;
  before(async () => {
    f = await ForgeHost.start({ integrations });
    f.fake.setRepoPermission("acme", "widgets", ADMIN, "admin");
    // Provision the installation with a legitimate UI call first.
    const me = await f.ui("GET", `/repositories/${encodeURIComponent(f.h.repo.uuid)}/settings`, undefined, { ...UI, principal: ADMIN });
    assert.equal(me.status, 200, me.text);
  });
  after(() => f.close());

  it("refuses, on every /forge/api route, a trigger's FIT, a module's FIT for another or no repository, and expired or unsigned FITs", async () => {
    const before = await snapshot();
    const routes = apiRoutes(f.h, integrations).filter((r) => r.path !== "/me");
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const unsigned = `${enc({ alg: "none", typ: "JWT" })}.${enc({ ...f.claims({ ...UI, repositoryUuid: f.h.repo.uuid, principal: ADMIN }), iss: "forge/invocation-token", exp: Math.floor(Date.now() / 1000) + 60 })}.`;
    const cases: Array<[string, Parameters<ForgeHost["call"]>[3]]> = [
      ["a trigger's FIT (core:endpoint)", { moduleType: "core:endpoint", moduleKey: "relay-events", repositoryUuid: f.h.repo.uuid }],
      ["a module's FIT for another repository", { ...UI, principal: ADMIN, repositoryUuid: SIBLING }],
      ["a module's FIT for no repository", { ...UI, principal: ADMIN, repositoryUuid: null }],
      ["an expired module FIT", { ...UI, principal: ADMIN, repositoryUuid: f.h.repo.uuid, expiresIn: -60 }],
      ["an unsigned FIT (alg none)", { fitToken: unsigned }],
    ];
    for (const route of routes) {
      const { path, body } = requestFor(route, f.h.repo.uuid);
      for (const [what, o] of cases) {
        const res = await f.call(route.method, `${FORGE_PATHS.api}${path}`, body === undefined ? undefined : JSON.parse(body), o);
        assert.equal(res.status, 401, `${route.method} ${path} with ${what} → ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    assert.equal(await snapshot(), before, "nothing stored, changed or removed");
  });

  it("refuses a module's FIT whose repository is another workspace's (its installation has no such repository) on every route", async () => {
    const other = { uuid: "{0c0c0c0c-0000-4000-8000-00000000000c}", slug: "gadgets" };
    await f.h.install({ workspace: { uuid: "{0b0b0b0b-0000-4000-8000-00000000000b}", slug: "beta" }, repo: false });
    f.fake.addRepository({ workspace: "beta", slug: other.slug, uuid: other.uuid });
    f.fake.setRepoPermission("beta", other.slug, ADMIN, "admin");
    const before = await snapshot();
    for (const route of apiRoutes(f.h, integrations).filter((r) => r.path !== "/me")) {
      const { path, body } = requestFor(route, other.uuid);
      const res = await f.call(route.method, `${FORGE_PATHS.api}${path}`, body === undefined ? undefined : JSON.parse(body), { ...UI, principal: ADMIN, repositoryUuid: other.uuid });
      assert.equal(res.status, 401, `${route.method} ${path} → ${res.status} ${res.text.slice(0, 200)}`);
    }
    assert.equal(await snapshot(), before, "nothing stored, changed or removed");
  });

  it("refuses a UI module's FIT on the event, lifecycle, scheduled and pre-uninstall endpoints (the user picks invokeRemote's path)", async () => {
    const before = await snapshot();
    const ui = { ...UI, principal: ADMIN, repositoryUuid: f.h.repo.uuid };
    for (const path of [FORGE_PATHS.events, FORGE_PATHS.lifecycle, FORGE_PATHS.scheduled, FORGE_PATHS.preUninstall]) {
      const res = await f.call("POST", path, { payload: { eventType: "avi:forge:installed:app", id: randomUUID() } }, ui);
      assert.equal(res.status, 401, `${path} with a UI FIT → ${res.status} ${res.text}`);
    }
    assert.equal(await snapshot(), before, "nothing stored, and the installation is not purged");
    assert.ok(await f.installation(), "still installed");
  });
});
