import assert from "node:assert/strict";
import { request } from "undici";
import { fakeDataCenter, type DataCenterSetup } from "../../helpers/datacenter";
import { dcBuilds } from "../../fakes/datacenter/routes/builds";

const SHA = "f".repeat(40);

/**
 * The fake DC's resources that `DcBitbucketApi` does not call itself, spoken to as a client would:
 * build stats, one build status by key and its deletion, repository permissions; each checks the
 * credential's permission level as DC does.
 */
describe("fake Data Center: build stats, builds by key, repository permissions", function () {
  this.timeout(30_000);
  let dc: DataCenterSetup;
  const call = async (method: "GET" | "POST" | "DELETE", path: string, token: string, body?: unknown) => {
    const res = await request(`${dc.fake.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  before(async () => {
    dc = await fakeDataCenter();
    const store = dcBuilds(dc.fake);
    store.put(SHA, { key: "a", state: "SUCCESSFUL", url: "https://ci/a", repositoryId: dc.repo.id });
    store.put(SHA, { key: "b", state: "CANCELLED", url: "https://ci/b", repositoryId: dc.repo.id });
  });
  after(() => dc?.fake.stop());

  it("stats per commit (GET) and in bulk (POST, commits without builds omitted), for a licensed user", async () => {
    const one = await call("GET", `/rest/build-status/latest/commits/stats/${SHA}`, dc.serviceToken);
    assert.deepEqual(one.json, { successful: 1, failed: 0, inProgress: 0, cancelled: 1, unknown: 0 });
    const many = await call("POST", "/rest/build-status/latest/commits/stats", dc.serviceToken, [SHA, "0".repeat(40)]);
    assert.deepEqual(Object.keys(many.json ?? {}), [SHA]);
    const repoToken = dc.fake.issueToken({ repository: dc.repo, permissions: ["REPO_READ"] });
    assert.equal((await call("GET", `/rest/build-status/latest/commits/stats/${SHA}`, repoToken)).status, 401, "LICENSED user needed");
  });

  it("one build status by key (REPO_READ; a key is required) and its deletion (REPO_ADMIN)", async () => {
    const path = `/rest/api/latest/projects/PROJ/repos/widgets/commits/${SHA}/builds`;
    const reader = dc.fake.issueToken({ repository: dc.repo, permissions: ["REPO_READ"] });
    const got = await call("GET", `${path}?key=a`, reader);
    assert.deepEqual([got.status, got.json?.key, got.json?.state], [200, "a", "SUCCESSFUL"]);
    assert.equal((await call("GET", path, reader)).status, 400);
    assert.equal((await call("DELETE", `${path}?key=a`, reader)).status, 401);
    assert.equal((await call("DELETE", `${path}?key=a`, dc.serviceToken)).status, 204);
    assert.equal((await call("GET", `${path}?key=a`, reader)).status, 404);
  });

  it("repository permissions list grants on the repository only, to a REPO_ADMIN caller", async () => {
    const ann = dc.fake.addUser("ann");
    const pat = dc.fake.addUser("pat");
    dc.fake.grant(ann, "REPO_WRITE", { repository: dc.repo });
    dc.fake.grant(pat, "PROJECT_ADMIN", { project: "PROJ" });
    const listed = await call("GET", "/rest/api/latest/projects/PROJ/repos/widgets/permissions/users", dc.serviceToken);
    assert.deepEqual((listed.json?.values as Array<{ user: { slug: string }; permission: string }>).map((v) => [v.user.slug, v.permission]), [["ann", "REPO_WRITE"]]);
    const reader = dc.fake.issueToken({ repository: dc.repo, permissions: ["REPO_READ"] });
    assert.equal((await call("GET", "/rest/api/latest/projects/PROJ/repos/widgets/permissions/users", reader)).status, 401);
  });

  it("the users resource needs an authenticated caller and refuses an unknown permission", async () => {
    const anon = await request(`${dc.fake.baseUrl}/rest/api/latest/users`);
    assert.equal(anon.statusCode, 401);
    await anon.body.dump();
    assert.equal((await call("GET", "/rest/api/latest/users?permission=NOPE", dc.serviceToken)).status, 400);
  });
});
