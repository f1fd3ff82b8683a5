import assert from "node:assert/strict";
import { Harness } from "../helpers/harness";
import { repositories } from "../../src/core/repositories";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { ADMIN, apiAs, grantDefaults, sessionFor } from "./support";

describe("Repository ids on the API: any door's id is well formed, malformed ids are 400", () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start();
    grantDefaults(h);
  });
  after(() => h.close());

  it("records the repository under its Cloud id with the display name Bitbucket gave", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const res = await api.get(`/repositories/${encodeURIComponent(h.repo.uuid)}/settings`);
    assert.equal(res.status, 200, res.text);
    // Recorded by the permission check before it answers.
    const known = await repositories.get(h.tenant.installation.id, h.repo.uuid);
    assert.equal(known?.displayName, "acme/widgets");
    assert.equal(known?.hostScope, h.tenant.installation.workspaceUuid);
  });

  it("answers 400 for a malformed id and 4xx for another door's id, asking Bitbucket nothing", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    h.fake.resetCalls();
    for (const bad of ["not-a-uuid", "dc:zz:1", "{1234}"]) {
      const res = await api.get(`/repositories/${encodeURIComponent(bad)}/settings`);
      assert.equal(res.status, 400, `${bad}: ${res.text}`);
    }
    const dc = await api.get(`/repositories/${encodeURIComponent(mintDataCenterRepositoryId("https://git.example.com", 1))}/settings`);
    assert.equal(dc.status, 401, "a well-formed id of another repository: this token was not issued for it");
    assert.equal(h.fake.calls.length, 0);
  });
});
