import assert from "node:assert/strict";
import { Harness } from "../../helpers/harness";
import { bitbucketJwt } from "../../helpers/jwt";

/** The panel's context token is bound to the repository Bitbucket rendered the panel for. */
describe("Review radar: a panel may only read the repository it was opened for", () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start();
  });
  after(() => h.close());

  it("answers 401 (a misdirected token) when the page's token names another repository of the same workspace", async () => {
    const page = `/connect/panel/review-radar?repoUuid=${encodeURIComponent(h.repo.uuid)}&repoPath=${encodeURIComponent(h.repo.fullName)}`;
    const jwt = bitbucketJwt("GET", page, { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: "557058:viewer" });
    const res = await h.get(`${page}&jwt=${jwt}`);
    assert.equal(res.status, 200);
    const token = res.headers["x-acpt"] as string;
    const auth = { authorization: `JWT ${token}` };
    const own = await h.get(`/connect/api/review-radar/panel?repoUuid=${encodeURIComponent(h.repo.uuid)}`, auth);
    assert.equal(own.status, 200, own.text);
    const secret = "{99999999-9999-4999-8999-999999999999}";
    h.fake.addRepository({ workspace: h.tenant.workspace.slug, slug: "private-repo", uuid: secret, clientKey: h.tenant.clientKey });
    const other = await h.get(`/connect/api/review-radar/panel?repoUuid=${encodeURIComponent(secret)}`, auth);
    assert.equal(other.status, 401);
    const statuses = await h.fetch("POST", "/connect/api/review-radar/statuses", JSON.stringify({ repoUuid: secret, commits: ["abcdef1"] }), {
      ...auth,
      "content-type": "application/json",
    });
    assert.equal(statuses.status, 401);
  });
});
