import assert from "node:assert/strict";
import { Harness } from "../helpers/harness";
import { bitbucketJwt } from "../helpers/jwt";
import { ADMIN, settingsPagePath } from "./support";
import { pageContentSecurityPolicy } from "../../src/web/pages/page-shell";

/** The iframe pages' Content-Security-Policy: framed only by Bitbucket (and the app), own scripts only. */
describe("Page headers", () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start({ integrations: [] });
  });
  after(() => h.close());

  function directives(csp: string): Map<string, string[]> {
    return new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
  }

  it("serves every Connect page with a CSP that limits framing and scripts", async () => {
    const query = settingsPagePath(h).split("?")[1]!;
    for (const page of ["/connect/settings", "/connect/panel/review-radar"]) {
      const pathAndQuery = `${page}?${query}`;
      const jwt = bitbucketJwt("GET", pathAndQuery, { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: ADMIN });
      const res = await h.get(`${pathAndQuery}&jwt=${jwt}`);
      assert.equal(res.status, 200, res.text);
      const csp = directives(String(res.headers["content-security-policy"]));
      assert.deepEqual(csp.get("frame-ancestors"), ["'self'", ...h.services.config.connect.allowedHosts.map((x) => `https://${x}`)], page);
      assert.deepEqual(csp.get("script-src"), ["'self'", "https://bitbucket.org"], page);
      assert.deepEqual(csp.get("default-src"), ["'none'"], page);
      assert.ok(!/unsafe-eval/.test(String(res.headers["content-security-policy"])), page);
    }
  });

  it("takes the framing hosts from CONNECT_ALLOWED_HOSTS (Bitbucket Cloud by default), skipping anything that is no host", () => {
    const csp = pageContentSecurityPolicy({ connect: { allowedHosts: ["bitbucket.org", "*.bitbucket.org", "x'; script-src *"] } });
    assert.match(csp, /frame-ancestors 'self' https:\/\/bitbucket\.org https:\/\/\*\.bitbucket\.org$/);
    assert.equal(csp.split(";").filter((d) => d.trim().startsWith("script-src")).length, 1);
  });
});
