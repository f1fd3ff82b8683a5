import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { request } from "undici";
import { QueryTypes } from "sequelize";
import { loadConfig } from "../../src/config/config";
import { dataCenterClient, dcRepoPath } from "../../src/bitbucket/datacenter/client";
import { dataCenterInstanceId } from "../../src/bitbucket/repository-id";
import { syncDataCenterInstallations } from "../../src/datacenter/installations";
import { dataCenterHarness, fakeDataCenter, type DataCenterSetup } from "../helpers/datacenter";
import type { Harness } from "../helpers/harness";
import type { InstallationView } from "../../src/core/installations";
import { configProblems, MINIMAL_ENV } from "../helpers/config";

const BASE = MINIMAL_ENV;
const DC = { BITBUCKET_DC_BASE_URL: "https://Git.Example.com:443/bitbucket/", BITBUCKET_DC_TOKEN: "tok-secret-1", BITBUCKET_DC_CLIENT_ID: "cid", BITBUCKET_DC_CLIENT_SECRET: "csecret-1" };

const problems = configProblems;

describe("Data Center door: configuration", () => {
  it("one instance from the BITBUCKET_DC_* variables: canonical base URL, instance id, name", () => {
    const c = loadConfig({ ...BASE, ...DC });
    assert.equal(c.dataCenter.instances.length, 1);
    const [i] = c.dataCenter.instances;
    assert.equal(i!.baseUrl, "https://git.example.com/bitbucket");
    assert.equal(i!.id, dataCenterInstanceId("https://git.example.com/bitbucket"));
    assert.equal(i!.name, "git.example.com/bitbucket");
    assert.deepEqual(i!.oauth, { clientId: "cid", clientSecret: "csecret-1" });
  });

  it("no DC variable: the door is closed (no instance)", () => {
    assert.deepEqual(loadConfig(BASE).dataCenter.instances, []);
  });

  it("a partial single-instance configuration names each missing variable, and never shows a secret", () => {
    const p = problems({ ...BASE, BITBUCKET_DC_BASE_URL: "https://git.example.com", BITBUCKET_DC_TOKEN: "tok-secret-1" });
    assert.deepEqual(p, [
      "BITBUCKET_DC_CLIENT_ID: required with BITBUCKET_DC_BASE_URL, BITBUCKET_DC_TOKEN (the Data Center door needs all four)",
      "BITBUCKET_DC_CLIENT_SECRET: required with BITBUCKET_DC_BASE_URL, BITBUCKET_DC_TOKEN (the Data Center door needs all four)",
    ]);
    assert.ok(!p.join("\n").includes("tok-secret-1"));
  });

  it("a base URL that is not http(s), or http under NODE_ENV=production, is refused", () => {
    assert.deepEqual(problems({ ...BASE, ...DC, BITBUCKET_DC_BASE_URL: "ftp://git.example.com" }), ["BITBUCKET_DC_BASE_URL: must be an http(s) URL"]);
    const prod = problems({ ...BASE, ...DC, NODE_ENV: "production", BASE_URL: "https://relay.example.com", BITBUCKET_DC_BASE_URL: "http://git.example.com", ALLOW_SQLITE_IN_PRODUCTION: "true" });
    assert.deepEqual(prod, ["BITBUCKET_DC_BASE_URL: must be an https:// URL when NODE_ENV=production"]);
  });

  describe("several instances from BITBUCKET_DC_INSTANCES_FILE", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-dc-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (body: unknown) => {
      const f = path.join(dir, "dc.json");
      fs.writeFileSync(f, typeof body === "string" ? body : JSON.stringify(body));
      return f;
    };
    const inst = (baseUrl: string) => ({ baseUrl, token: "t-secret", clientId: "c", clientSecret: "s-secret" });

    it("reads every instance, each with its own id", () => {
      const f = write({ instances: [inst("https://a.example.com"), { ...inst("https://b.example.com/bb"), name: "B" }] });
      const c = loadConfig({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: f });
      assert.deepEqual(c.dataCenter.instances.map((i) => [i.baseUrl, i.name]), [["https://a.example.com", "a.example.com"], ["https://b.example.com/bb", "B"]]);
      assert.notEqual(c.dataCenter.instances[0]!.id, c.dataCenter.instances[1]!.id);
    });

    it("bad files: unreadable, not JSON, missing fields, the same instance twice, both forms at once", () => {
      assert.match(problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: path.join(dir, "missing.json") })[0]!, /^BITBUCKET_DC_INSTANCES_FILE: .*missing\.json: cannot read the file \(ENOENT\)$/);
      assert.match(problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: write("{nope") })[0]!, /^BITBUCKET_DC_INSTANCES_FILE: .*dc\.json: not valid JSON at line 1, column 2/);
      assert.deepEqual(problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: write({ instances: [{ baseUrl: "https://a.example.com" }] }) }), [
        `BITBUCKET_DC_INSTANCES_FILE: ${path.join(dir, "dc.json")}: instance 1 ("a.example.com"): token is required`,
        `BITBUCKET_DC_INSTANCES_FILE: ${path.join(dir, "dc.json")}: instance 1 ("a.example.com"): clientId is required`,
        `BITBUCKET_DC_INSTANCES_FILE: ${path.join(dir, "dc.json")}: instance 1 ("a.example.com"): clientSecret is required`,
      ]);
      assert.deepEqual(problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: write({ instances: [inst("https://a.example.com/"), inst("https://A.example.com")] }) }), [
        `BITBUCKET_DC_INSTANCES_FILE: ${path.join(dir, "dc.json")}: instance 2 ("a.example.com"): baseUrl: https://a.example.com is listed twice`,
      ]);
      assert.deepEqual(problems({ ...BASE, ...DC, BITBUCKET_DC_INSTANCES_FILE: write({ instances: [inst("https://a.example.com")] }) }), [
        "BITBUCKET_DC_INSTANCES_FILE: set it or BITBUCKET_DC_BASE_URL, BITBUCKET_DC_TOKEN, BITBUCKET_DC_CLIENT_ID, BITBUCKET_DC_CLIENT_SECRET, not both",
      ]);
    });
  });
});

describe("Data Center door: installation and REST client", function () {
  this.timeout(30_000);
  let dc: DataCenterSetup;
  let h: Harness;
  let installation: InstallationView;
  before(async () => {
    dc = await fakeDataCenter();
    ({ h, installation } = await dataCenterHarness(dc));
  });
  after(async () => {
    await h?.close();
    await dc?.fake.stop();
  });

  it("start-up creates one installation per instance: host datacenter, the instance as its scope, the token encrypted at rest", async () => {
    assert.equal(installation.host, "datacenter");
    assert.equal(installation.credentialKind, "dc-token");
    assert.equal(installation.hostScope, dataCenterInstanceId(dc.fake.baseUrl));
    assert.equal(installation.workspaceUuid, null);
    assert.equal(installation.baseApiUrl, `${dc.fake.baseUrl}/rest`);
    const rows = await h.services.db.sequelize.query<{ secrets_enc: string }>("SELECT secrets_enc FROM installations WHERE id = :id", { replacements: { id: installation.id }, type: QueryTypes.SELECT });
    assert.ok(rows[0]!.secrets_enc && !rows[0]!.secrets_enc.includes(dc.serviceToken));
  });

  it("a second start with the same configuration keeps the one installation, with the token it is given now", async () => {
    const [inst] = h.services.config.dataCenter.instances;
    const again = await syncDataCenterInstallations(h.services, [{ ...inst!, token: "rotated-token" }]);
    assert.equal(again.get(inst!.id)!.id, installation.id);
    const rows = await h.services.db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM installations WHERE host = 'datacenter'", { type: QueryTypes.SELECT });
    assert.equal(Number(rows[0]!.n), 1);
    assert.equal((await h.services.installations.secrets(installation.id)).dcToken, "rotated-token");
    await syncDataCenterInstallations(h.services, [inst!]);
  });

  it("the DC client calls the instance under its context path with the service token as Bearer", async () => {
    const client = dataCenterClient(h.services, installation);
    const repo = await client.get<{ id: number; slug: string; project: { key: string } }>(dcRepoPath("PROJ", "widgets"));
    assert.deepEqual([repo.id, repo.slug, repo.project.key], [dc.repo.id, "widgets", "PROJ"]);
    const call = dc.fake.calls.at(-1)!;
    assert.equal(call.path, "/rest/api/latest/projects/PROJ/repos/widgets");
    assert.equal(call.auth, "bearer");
  });

  it("the fake refuses a project token over Basic and a forged Bearer token with DC's 401", async () => {
    const projectToken = dc.fake.issueToken({ project: "PROJ", permissions: ["PROJECT_READ"] });
    const url = `${dc.fake.baseUrl}/rest/api/latest/projects/PROJ/repos/widgets`;
    const basic = await request(url, { headers: { authorization: `Basic ${Buffer.from(`x:${projectToken}`).toString("base64")}` } });
    assert.equal(basic.statusCode, 401);
    assert.match(JSON.stringify(await basic.body.json()), /AuthenticationException/);
    const bearer = await request(url, { headers: { authorization: `Bearer ${projectToken}` } });
    assert.equal(bearer.statusCode, 200);
    await bearer.body.dump();
    const forged = await request(url, { headers: { authorization: "Bearer BBDC-forged" } });
    assert.equal(forged.statusCode, 401);
    await forged.body.dump();
  });

  it("the door answers 404 under /datacenter for what it does not serve yet", async () => {
    const res = await h.get("/datacenter/nothing");
    assert.equal(res.status, 404);
  });
});
