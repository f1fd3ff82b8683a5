import assert from "node:assert/strict";
import { hostScopeView } from "../../src/web/api/host-scope";
import { dataCenterInstanceId } from "../../src/bitbucket/repository-id";
import { dataCenterHarness, fakeDataCenter, type DataCenterSetup } from "../helpers/datacenter";
import { Harness } from "../helpers/harness";

describe("pages name what the defaults cover: a Cloud workspace, or a Data Center instance", function () {
  this.timeout(30_000);
  let dc: DataCenterSetup;
  let h: Harness;

  after(async () => {
    await h?.close();
    await dc?.fake.stop();
  });

  it("Cloud: the workspace (uuid, slug); DC: the instance (id, configured name), no workspace", async () => {
    dc = await fakeDataCenter();
    const started = await dataCenterHarness(dc);
    h = started.h;
    const id = dataCenterInstanceId(dc.fake.baseUrl);
    const u = new URL(dc.fake.baseUrl);
    assert.deepEqual(hostScopeView(h.services, started.installation), { kind: "instance", id, name: `${u.host}${u.pathname}` });
    const cloud = await h.install();
    assert.deepEqual(hostScopeView(h.services, cloud.installation), { kind: "workspace", id: cloud.workspace.uuid, name: cloud.workspace.slug });
  });
});
