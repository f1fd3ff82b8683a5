import assert from "node:assert/strict";
import * as jwt from "atlassian-jwt";
import { Harness, type TestTenant } from "../helpers/harness";
import { bitbucketJwt } from "../helpers/jwt";
import { ADMIN, sessionFor, settingsPagePath } from "../web/support";
import { INTEGRATIONS } from "../../src/integrations";
import { PAGE_API_USE } from "../../src/connect/page-api-token";
import { Delivery, Installation, Job, RepoSettingsRecord, SettingsChange } from "../../src/models";
import { apiRoutes, requestFor, type Route } from "./api-routes";

const integrations = INTEGRATIONS.map((i) => ({ ...i, background: undefined }));
const SIBLING = { uuid: "{0d0d0d0d-0000-4000-8000-00000000000d}", slug: "sibling", fullName: "acme/sibling" };
const OTHER_REPO = { uuid: "{0c0c0c0c-0000-4000-8000-00000000000c}", slug: "gadgets", fullName: "beta/gadgets" };

async function snapshot(): Promise<string> {
  return JSON.stringify(await Promise.all([Delivery.count(), Job.count(), Installation.count(), RepoSettingsRecord.count(), SettingsChange.count()]));
}

/**
 * "A token proves one thing" (issue: tokens Bitbucket issued for something else): the page API
 * takes only the page API token the app issued for that installation, user and repository, or a
 * Bitbucket token whose qsh is exactly the request's (which binds no repository). Every route of
 * `/connect/api` is swept with every token issued for something else; each is 401 and nothing changes.
 */
describe("Resilience: the page API takes only tokens issued for it", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let h: Harness;
  let other: TestTenant;
  let routes: Route[];
  let good: string;

  before(async () => {
    h = await Harness.start({ integrations });
    other = await h.install({ workspace: { uuid: "{0b0b0b0b-0000-4000-8000-00000000000b}", slug: "beta" }, repo: false });
    h.fake.addRepository({ workspace: "acme", slug: SIBLING.slug, uuid: SIBLING.uuid, clientKey: h.tenant.clientKey });
    h.fake.addRepository({ workspace: "beta", slug: OTHER_REPO.slug, uuid: OTHER_REPO.uuid, clientKey: other.clientKey });
    for (const slug of [h.repo.slug, SIBLING.slug]) h.fake.setRepoPermission("acme", slug, ADMIN, "admin");
    h.fake.setRepoPermission("beta", OTHER_REPO.slug, ADMIN, "admin");
    routes = apiRoutes(h, integrations);
    good = await sessionFor(h, ADMIN);
  });
  after(() => h.close());

  const now = () => Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, secret = h.tenant.sharedSecret) => jwt.encodeSymmetric(claims, secret, jwt.SymmetricAlgorithm.HS256);
  const pageApiClaims = (o: Record<string, unknown> = {}) => ({
    iss: h.services.config.appKey,
    aud: [h.tenant.clientKey],
    sub: ADMIN,
    iat: now() - 5,
    exp: now() + 600,
    use: PAGE_API_USE,
    repo: h.repo.uuid,
    ...o,
  });

  /** What the API renews a token as (`X-acpt` of a call naming no repository): the same binding. */
  async function renewedOf(token: string): Promise<string> {
    const res = await h.fetch("GET", "/connect/api/me", undefined, { authorization: `JWT ${token}` });
    assert.equal(res.status, 200, res.text);
    return res.headers["x-acpt"] as string;
  }

  /** Each way a credential can be issued for something else than this request of this repository's page. */
  async function misissued(route: Route, path: string): Promise<Array<[string, string]>> {
    const page = settingsPagePath(h);
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    return [
      ["the settings page's own iframe token (qsh of the page load)", bitbucketJwt("GET", page, { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: ADMIN })],
      ["a Bitbucket token with the qsh of another API request", bitbucketJwt("GET", "/connect/api/me", { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: ADMIN })],
      ["a Bitbucket token signed for exactly this request (binds no repository)", bitbucketJwt(route.method, path, { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: ADMIN })],
      ["ACE's session token (no purpose, repository in context)", sign({ iss: h.services.config.appKey, aud: [h.tenant.clientKey], sub: ADMIN, iat: now(), exp: now() + 600, context: { repository: { uuid: h.repo.uuid } } })],
      ["a page API token of another repository of the workspace", await sessionFor(h, ADMIN, h.tenant, SIBLING)],
      ["a page API token of another workspace's repository", await sessionFor(h, ADMIN, other, OTHER_REPO)],
      ["a page API token addressed to another workspace, signed with this one's secret", sign(pageApiClaims({ aud: [other.clientKey] }))],
      ["another workspace's page API token bound to this repository (not in its workspace)", sign(pageApiClaims({ aud: [other.clientKey] }), other.sharedSecret)],
      ["another workspace's page API token bound to this repository, renewed by the API", await renewedOf(sign(pageApiClaims({ aud: [other.clientKey] }), other.sharedSecret))],
      ["an expired page API token", sign(pageApiClaims({ iat: now() - 1200, exp: now() - 60 }))],
      ["a page API token issued in the future", sign(pageApiClaims({ iat: now() + 3600, exp: now() + 4200 }))],
      ["a forged page API token (wrong secret)", sign(pageApiClaims(), "not-the-shared-secret-of-anyone")],
      ["a page API token without expiry", sign(pageApiClaims({ exp: undefined }))],
      ["a page API token bound to no repository", sign(pageApiClaims({ repo: undefined }))],
      ["a page API token issued by another app key", sign(pageApiClaims({ iss: "someone-else" }))],
      ["an unsigned page API token (alg none)", `${enc({ alg: "none", typ: "JWT" })}.${enc(pageApiClaims())}.`],
      ["a page API token signed HS512", jwt.encodeSymmetric(pageApiClaims(), h.tenant.sharedSecret, jwt.SymmetricAlgorithm.HS512)],
    ];
  }

  it("refuses every misissued token on every repository route with 401, changing nothing", async () => {
    const repoRoutes = routes.filter((r) => r.path !== "/me");
    assert.ok(repoRoutes.length >= 8, `routes: ${repoRoutes.map((r) => `${r.method} ${r.path}`).join(", ")}`);
    const before = await snapshot();
    for (const route of repoRoutes) {
      const { path, body } = requestFor(route, h.repo.uuid);
      const full = `/connect/api${path}`;
      for (const [what, token] of await misissued(route, full)) {
        const res = await h.fetch(route.method, full, body, { authorization: `JWT ${token}`, "content-type": "application/json" });
        assert.equal(res.status, 401, `${route.method} ${full} with ${what} → ${res.status} ${res.text.slice(0, 200)}`);
        assert.equal(typeof res.json<{ error: unknown }>().error, "string", "a short reason");
      }
    }
    assert.equal(await snapshot(), before, "nothing stored, changed or removed");
  });

  it("takes the page's token only from the Authorization header, never from the URL", async () => {
    const res = await h.get(`/connect/api/repositories/${encodeURIComponent(h.repo.uuid)}/settings?jwt=${good}`);
    assert.equal(res.status, 401, res.text);
  });

  it("serves the page's own token on its repository, renewing it with the same binding", async () => {
    const res = await h.fetch("GET", `/connect/api/repositories/${encodeURIComponent(h.repo.uuid)}/settings`, undefined, { authorization: `JWT ${good}` });
    assert.equal(res.status, 200, res.text);
    const renewed = res.headers["x-acpt"];
    assert.equal(typeof renewed, "string");
    const claims = jwt.decodeSymmetric(renewed as string, h.tenant.sharedSecret, jwt.SymmetricAlgorithm.HS256) as Record<string, unknown>;
    assert.equal(claims.use, PAGE_API_USE);
    assert.equal(claims.repo, h.repo.uuid);
    assert.equal(claims.sub, ADMIN);
    const again = await h.fetch("PUT", `/connect/api/repositories/${encodeURIComponent(h.repo.uuid)}/settings/build-alerts`, JSON.stringify({ values: { enabled: false } }), {
      authorization: `JWT ${renewed as string}`,
      "content-type": "application/json",
    });
    assert.equal(again.status, 200, again.text);
  });

  it("takes a Bitbucket token whose qsh is exactly the request's only where no repository is named", async () => {
    const token = bitbucketJwt("GET", "/connect/api/me", { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: ADMIN });
    const res = await h.fetch("GET", "/connect/api/me", undefined, { authorization: `JWT ${token}` });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers["x-acpt"], undefined, "no page API token is minted from it");
  });
});
