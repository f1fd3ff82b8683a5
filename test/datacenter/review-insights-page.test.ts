import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { bootstrapOf, CookieJar, dcLoginSetup, hop, logInAs, stopDcLogin, type DcLoginSetup } from "../helpers/dc-login";

/** The review insights page on the Data Center door (docs/review-insights.md "What the Data Center door mounts"). */
describe("Data Center door: the review insights page", function () {
  this.timeout(60_000);
  let s: DcLoginSetup;
  before(async () => {
    s = await dcLoginSetup();
  });
  after(async () => stopDcLogin(s));

  const app = (path: string) => `${s.h.url}${path}`;
  const repoId = () => mintDataCenterRepositoryId(s.dc.fake.baseUrl, s.dc.repo.id);
  const page = (jar: CookieJar, id = repoId()) => hop(app(`/datacenter/repos/${encodeURIComponent(id)}/review-insights`), { jar, appUrl: s.h.url });
  const api = (jar: CookieJar, method: "GET" | "PUT", path: string, body?: unknown, csrf?: string) =>
    hop(app(`/datacenter/api${path}`), {
      jar,
      appUrl: s.h.url,
      method,
      headers: { accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(csrf ? { "x-csrf-token": csrf } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const switchedOn = async () => (await s.h.services.db.sequelize.query("SELECT * FROM review_insights_repositories", { type: QueryTypes.SELECT })).length;

  it("a reader finds it in the picker and gets the insights bundle bootstrapped for the cookie transport; its API answers; a reader cannot switch it on", async () => {
    const { jar } = await logInAs(s, s.bob);
    const picker = await hop(app("/datacenter/repositories"), { jar, appUrl: s.h.url });
    assert.equal(picker.status, 200);
    assert.ok(picker.text.includes(`href="/datacenter/repos/${encodeURIComponent(repoId())}/review-insights"`), picker.text);
    const res = await page(jar);
    assert.equal(res.status, 200, res.text);
    const boot = bootstrapOf(res.text);
    assert.deepEqual(
      { host: boot.host, page: boot.page, apiBase: boot.apiBase, repository: boot.repository, viewer: boot.viewer, token: boot.token },
      { host: "datacenter", page: "review-insights", apiBase: "/datacenter/api", repository: { uuid: repoId(), fullName: "PROJ/widgets" }, viewer: { accountId: "bob" }, token: null },
    );
    assert.ok(boot.csrfToken, "the session's CSRF token for the page's writes");
    assert.match(res.text, /<title>[^<]*Review insights/);
    const view = await api(jar, "GET", `/repositories/${encodeURIComponent(repoId())}/insights?days=30`);
    assert.equal(view.status, 200, view.text);
    const put = await api(jar, "PUT", `/repositories/${encodeURIComponent(repoId())}/insights`, { enabled: true }, boot.csrfToken!);
    assert.equal(put.status, 403, put.text);
    assert.equal(await switchedOn(), 0, "nothing stored");
  });

  it("the admin switches insights on through the door's API", async () => {
    const { jar } = await logInAs(s, s.alice);
    const boot = bootstrapOf((await page(jar)).text);
    const put = await api(jar, "PUT", `/repositories/${encodeURIComponent(repoId())}/insights`, { enabled: true }, boot.csrfToken!);
    assert.equal(put.status, 200, put.text);
    assert.equal(await switchedOn(), 1);
    await s.h.drained();
  });

  it("a user without access gets 403; another instance's repository 401; no session: the way to log in", async () => {
    const { jar } = await logInAs(s, s.carol);
    assert.equal((await page(jar)).status, 403);
    const alice = await logInAs(s, s.alice);
    assert.equal((await page(alice.jar, mintDataCenterRepositoryId("https://other.example.com/bitbucket", s.dc.repo.id))).status, 401);
    const anonymous = await page(new CookieJar());
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.location, "/datacenter");
  });
});
