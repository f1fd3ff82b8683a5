import assert from "node:assert/strict";
import { Router } from "express";
import { FrontDoors, type FrontDoor } from "../../src/core/front-door";
import type { AuthFactory } from "../../src/bitbucket/auth";
import type { InstallationView } from "../../src/core/installations";
import { connectDoor } from "../../src/connect";
import { dataCenterDoor } from "../../src/datacenter";
import { forgeDoor } from "../../src/forge";
import { FRONT_DOORS } from "../../src/front-doors";
import { Harness } from "../helpers/harness";

const auth: AuthFactory = () => ({ headers: async () => ({ authorization: "Bearer door-test" }), bearerToken: async () => "door-test", invalidate() {} });
const door = (over: Partial<FrontDoor>): FrontDoor => ({ host: "connect", credentials: {}, mount() {}, ...over });

describe("Front doors as plug-ins", () => {
  it("ships Connect, Forge and Data Center, each declaring its host and credential kinds", () => {
    assert.deepEqual(FRONT_DOORS.map((d) => d.host), ["connect", "forge", "datacenter"]);
    assert.deepEqual(Object.keys(dataCenterDoor.credentials), ["dc-token"]);
    assert.deepEqual(Object.keys(connectDoor.credentials), ["connect-jwt"]);
    assert.deepEqual(Object.keys(forgeDoor.credentials), ["forge-system-token"]);
  });

  it("refuses two doors for one host or one credential kind", () => {
    assert.throws(() => new FrontDoors([door({}), door({})]), /two front doors for host connect/);
    assert.throws(
      () => new FrontDoors([door({ credentials: { "connect-jwt": auth } }), door({ host: "forge", credentials: { "connect-jwt": auth } })]),
      /credential kind connect-jwt/,
    );
  });

  it("finds an installation's auth through the door that declared its credential kind, and refuses an undeclared kind", async () => {
    const doors = new FrontDoors([door({ credentials: { "connect-jwt": auth } })]);
    const inst = { id: "i", credentialKind: "connect-jwt" } as InstallationView;
    const deps = { http: null as never, secrets: async () => ({}) };
    assert.equal(await doors.authFor(inst, deps).bearerToken(), "door-test");
    assert.equal(doors.forHost("connect")?.host, "connect");
    assert.equal(doors.forHost("forge"), null);
    assert.throws(() => doors.authFor({ ...inst, credentialKind: "forge-system-token" }, deps), /No credential provider for forge-system-token/);
  });

  describe("an app serves exactly the doors it is given", () => {
    let h: Harness;
    const calls: string[] = [];
    const probe = door({
      host: "forge",
      credentials: { "forge-system-token": auth },
      register: () => calls.push("register"),
      mount(app, _services, api) {
        calls.push("mount");
        // A door serves the JSON API behind its own authentication; here it refuses everyone.
        app.use("/probe/api", (_req, res) => res.status(401).json({ error: "probe door authenticates nobody" }), api);
        app.use("/probe/hello", Router().get("/", (_req, res) => res.json({ door: "probe" })));
      },
    });
    before(async () => {
      h = await Harness.start({ frontDoors: [connectDoor, probe] });
    });
    after(async () => {
      await h.close();
    });

    it("registers and mounts each door once, and leaves routes of doors it was not given unmounted", async () => {
      assert.deepEqual(calls, ["register", "mount"]);
      assert.deepEqual((await h.get("/probe/hello")).json(), { door: "probe" });
      assert.equal((await h.get("/probe/api/settings")).status, 401);
      assert.equal((await h.post("/forge/events", {})).status, 404, "the Forge door is not mounted");
      assert.equal(h.services.doors.all.length, 2);
    });

    it("gives each installation the auth of its credential kind (Connect's JWT for a Connect install)", async () => {
      const bb = h.services.bitbucketFor(h.tenant.installation);
      const res = await bb.get<{ uuid: string }>(`/2.0/repositories/${h.tenant.workspace.slug}/${h.repo.slug}`);
      assert.equal(res.uuid, h.repo.uuid);
    });
  });
});
