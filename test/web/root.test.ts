import assert from "node:assert/strict";
import { Harness } from "../helpers/harness";
import { fakeDataCenter, dataCenterHarness, type DataCenterSetup } from "../helpers/datacenter";
import { ROOT_HEADERS } from "../../src/web/root";

/** `GET /` (the README says the app is "on http://localhost:3000"): running, and where to go from there. */
describe("GET /: the app says it is running and where its entry points are", function () {
  this.timeout(60_000);

  function assertHeaders(headers: Record<string, string | string[] | undefined>) {
    for (const [name, value] of Object.entries(ROOT_HEADERS)) assert.equal(headers[name], value, name);
  }

  it("Cloud only: JSON for a client, HTML for a browser, the Connect descriptor and /healthz, no /datacenter", async () => {
    const h = await Harness.start({ install: false });
    try {
      const res = await h.get("/", { accept: "application/json" });
      assert.equal(res.status, 200);
      assertHeaders(res.headers);
      assert.deepEqual(res.json(), {
        app: "Bitbucket Relay",
        status: "running",
        entryPoints: { connectDescriptor: `${h.url}/atlassian-connect.json`, forgeAppId: null, dataCenter: null, health: `${h.url}/healthz` },
      });
      const page = await h.get("/", { accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
      assert.equal(page.status, 200);
      assert.match(String(page.headers["content-type"]), /^text\/html/);
      assertHeaders(page.headers);
      assert.match(page.text, /Bitbucket Relay is running/);
      assert.ok(page.text.includes(`href="${h.url}/atlassian-connect.json"`) && page.text.includes(`${h.url}/healthz`));
      assert.ok(!page.text.includes("/datacenter") && !page.text.includes("<script"));
      // Both entry points it names answer.
      assert.equal((await h.get("/atlassian-connect.json")).status, 200);
      assert.equal((await h.get("/healthz")).status, 200);
    } finally {
      await h.close();
    }
  });

  describe("with a Data Center instance", () => {
    let dc: DataCenterSetup;
    before(async () => (dc = await fakeDataCenter()));
    after(async () => dc?.fake.stop());

    it("names /datacenter, never the DC token or client secret", async () => {
      const { h } = await dataCenterHarness(dc);
      try {
        const res = await h.get("/", { accept: "application/json" });
        assert.equal(res.status, 200);
        assert.equal(res.json<{ entryPoints: { dataCenter: string } }>().entryPoints.dataCenter, `${h.url}/datacenter`);
        const page = await h.get("/", { accept: "text/html" });
        assert.ok(page.text.includes(`href="${h.url}/datacenter"`));
        const instance = h.services.config.dataCenter.instances[0]!;
        for (const secret of [instance.token, instance.oauth.clientSecret]) assert.ok(!res.text.includes(secret) && !page.text.includes(secret));
      } finally {
        await h.close();
      }
    });
  });
});
