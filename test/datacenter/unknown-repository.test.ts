import assert from "node:assert/strict";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { dcLoginSetup, hop, logInAs, stopDcLogin, type DcLoginSetup } from "../helpers/dc-login";

/**
 * A DC repository id of this instance whose `PROJ/slug` the app has never learnt (no delivery, not in
 * the user's repository lists): DC's REST paths need the name, so nothing is asked of DC about it by
 * path. For the user that is a repository they cannot see: 403 with a reason (as for one they may not
 * read: DC itself does not tell the two apart), never a failure of Bitbucket (502).
 */
describe("Data Center door: a repository the app does not know", function () {
  this.timeout(60_000);
  let s: DcLoginSetup;
  before(async () => {
    s = await dcLoginSetup();
  });
  after(async () => stopDcLogin(s));

  it("its settings API, settings page and review radar page answer 403 with a reason, not 502; no DC call by a guessed path", async () => {
    const { jar } = await logInAs(s, s.alice);
    const unknown = encodeURIComponent(mintDataCenterRepositoryId(s.dc.fake.baseUrl, 987654));
    const before = s.dc.fake.calls.length;
    const api = await hop(`${s.h.url}/datacenter/api/repositories/${unknown}/settings`, { jar, appUrl: s.h.url, headers: { accept: "application/json" } });
    assert.equal(api.status, 403, api.text);
    assert.match(api.text, /no access to this repository/);
    for (const page of ["settings", "review-radar", "review-insights"]) {
      const res = await hop(`${s.h.url}/datacenter/repos/${unknown}/${page}`, { jar, appUrl: s.h.url });
      assert.equal(res.status, 403, `${page}: ${res.text}`);
    }
    assert.ok(!s.dc.fake.calls.slice(before).some((c) => c.path.includes("/repos/")), "no DC call with a guessed path");
  });
});
