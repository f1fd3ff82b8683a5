import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Harness, type TestTenant } from "../helpers/harness";
import { bitbucketJwt } from "../helpers/jwt";
import { bitbucketWebhook, forRepository } from "../helpers/fixtures";
import { ADMIN, pageApiTokenFor, sessionFor } from "../web/support";
import { BITBUCKET_EVENT_KEYS } from "../../src/bitbucket/events";
import { webhookPath } from "../../src/connect/webhooks";
import { INTEGRATIONS } from "../../src/integrations";
import { API_KEY_HEADER, ensureApiKey, ensureWebhookToken } from "../../src/integrations/buildkite/credentials";
import { signBody } from "../../src/integrations/buildkite/webhook-signature";
import { Delivery, Installation, Job } from "../../src/models";
import { ebEvent, webhookBody } from "../integrations/buildkite/support";
import { BAD_TOKENS, badToken } from "./tokens";
import { inboundRoutePaths } from "./inbound-endpoints";
import { apiRoutes, concrete, UUID_IN_PATH } from "./api-routes";

const integrations = INTEGRATIONS.map((i) => ({ ...i, background: undefined }));
const OTHER_REPO = { uuid: "{0c0c0c0c-0000-4000-8000-00000000000c}", slug: "gadgets", fullName: "beta/gadgets" };

/**
 * Auth sweep: every authenticated route refuses forged, expired, wrong-qsh, wrong-audience (and
 * unsigned, expiry-less, garbage) tokens and bad signatures with 401, storing nothing; a tenant's
 * valid credentials never reach another workspace's ids (401: a misdirected credential).
 */
describe("Resilience: auth sweep over every authenticated route", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let h: Harness;
  let other: TestTenant;
  let secrets: { apiKey: string; webhookToken: string; otherApiKey: string; otherWebhookToken: string };

  before(async () => {
    h = await Harness.start({ integrations });
    other = await h.install({ workspace: { uuid: "{0b0b0b0b-0000-4000-8000-00000000000b}", slug: "beta" }, repo: false });
    h.fake.addRepository({ workspace: "beta", slug: OTHER_REPO.slug, uuid: OTHER_REPO.uuid, clientKey: other.clientKey });
    h.fake.setRepoPermission("acme", h.repo.slug, ADMIN, "admin");
    h.fake.setRepoPermission("beta", OTHER_REPO.slug, ADMIN, "admin");
    const a = h.tenant.installation.id;
    const b = other.installation.id;
    secrets = {
      apiKey: await ensureApiKey(h.services, a),
      webhookToken: await ensureWebhookToken(h.services, a),
      otherApiKey: await ensureApiKey(h.services, b),
      otherWebhookToken: await ensureWebhookToken(h.services, b),
    };
  });
  after(() => h.close());

  let counts: string;
  beforeEach(async () => {
    counts = JSON.stringify([await Delivery.count(), await Job.count(), await Installation.count()]);
  });
  afterEach(async function () {
    if (this.currentTest?.state === "passed") {
      assert.equal(JSON.stringify([await Delivery.count(), await Job.count(), await Installation.count()]), counts, "nothing stored or removed");
    }
  });

  function expect401(res: { status: number; text: string }, what: string): void {
    assert.equal(res.status, 401, `${what} → ${res.status} ${res.text.slice(0, 200)}`);
    assert.equal(typeof (JSON.parse(res.text) as { error: unknown }).error, "string", `${what}: a short reason`);
  }

  it("Connect webhooks: every event URL refuses every bad token and a missing one", async () => {
    const payload = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName, workspaceUuid: h.tenant.workspace.uuid });
    for (const eventKey of BITBUCKET_EVENT_KEYS) {
      const path = webhookPath(eventKey);
      for (const kind of BAD_TOKENS) {
        const res = await h.webhook(eventKey, payload, { jwt: badToken(kind, h.tenant, other, "POST", path) });
        expect401(res, `${path} with a ${kind} token`);
      }
      expect401(await h.webhook(eventKey, payload, { jwt: null }), `${path} without a token`);
    }
  });

  it("Connect lifecycle: a reinstall or uninstall with a bad token, or signed by another tenant, is refused", async () => {
    for (const event of ["installed", "uninstalled"] as const) {
      const path = `/connect/${event}`;
      const body = h.lifecyclePayload(event, h.tenant);
      expect401(await h.post(path, body), `${path} unsigned for an installed client`);
      for (const kind of BAD_TOKENS) expect401(await h.post(path, body, { authorization: `JWT ${badToken(kind, h.tenant, other, "POST", path)}` }), `${path} with a ${kind} token`);
      const byOther = bitbucketJwt("POST", path, { clientKey: other.clientKey, sharedSecret: other.sharedSecret });
      expect401(await h.post(path, body, { authorization: `JWT ${byOther}` }), `${path} for this tenant signed by another`);
    }
    assert.ok(await h.services.installations.findByClientKey("connect", h.tenant.clientKey), "still installed");
  });

  it("iframe pages (/connect/settings, /connect/panel/*) refuse every bad ?jwt= and a missing one", async () => {
    const query = `repoUuid=${encodeURIComponent(h.repo.uuid)}&repoPath=${encodeURIComponent(h.repo.fullName)}`;
    for (const page of ["/connect/settings", "/connect/panel/review-radar"]) {
      const pathAndQuery = `${page}?${query}`;
      for (const kind of BAD_TOKENS) {
        const token = badToken(kind, h.tenant, other, "GET", pathAndQuery, ADMIN);
        expect401(await h.get(`${pathAndQuery}&jwt=${encodeURIComponent(token)}`), `${page} with a ${kind} token`);
      }
      expect401(await h.get(pathAndQuery), `${page} without a token`);
      const good = bitbucketJwt("GET", pathAndQuery, { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: ADMIN });
      assert.equal((await h.get(`${pathAndQuery}&jwt=${good}`)).status, 200, `${page} opens with a good token`);
    }
  });

  it("the JSON API (/connect/api/*): every route refuses every bad token and a missing one", async () => {
    const routes = apiRoutes(h, integrations);
    assert.ok(routes.length >= 8, `API routes found: ${routes.map((r) => `${r.method} ${r.path}`).join(", ")}`);
    // Session tokens are not bound to a request (Connect's context JWT): a wrong qsh is not a failure there.
    const kinds = BAD_TOKENS.filter((k) => k !== "wrong-qsh");
    for (const r of routes) {
      const path = `/connect/api${concrete(r.path, h.repo.uuid)}`;
      const body = r.method === "GET" ? undefined : JSON.stringify({});
      for (const kind of kinds) {
        const token = badToken(kind, h.tenant, other, r.method, path, ADMIN);
        expect401(await h.fetch(r.method, path, body, { authorization: `JWT ${token}`, "content-type": "application/json" }), `${r.method} ${path} with a ${kind} token`);
      }
      expect401(await h.fetch(r.method, path, body, { "content-type": "application/json" }), `${r.method} ${path} without a token`);
    }
  });

  it("Buildkite inbound routes refuse wrong, missing, stale and other installations' credentials", async () => {
    assert.deepEqual(inboundRoutePaths(integrations, h).sort(), ["/inbound/buildkite/eventbridge/:installationId", "/inbound/buildkite/webhook/:installationId"], "every /inbound route is swept below");
    const a = h.tenant.installation.id;
    const eb = JSON.stringify(ebEvent());
    const ebPath = `/inbound/buildkite/eventbridge/${a}`;
    const json = { "content-type": "application/json" };
    for (const [what, key] of [["wrong", "bkr_wrong"], ["other installation's", secrets.otherApiKey], ["empty", ""]] as const) {
      expect401(await h.fetch("POST", ebPath, eb, { ...json, [API_KEY_HEADER]: key }), `EventBridge with a ${what} API key`);
    }
    expect401(await h.fetch("POST", ebPath, eb, json), "EventBridge without an API key");
    expect401(await h.fetch("POST", `/inbound/buildkite/eventbridge/${other.installation.id}`, eb, { ...json, [API_KEY_HEADER]: secrets.apiKey }), "EventBridge: this key on another installation");

    const raw = JSON.stringify(webhookBody());
    const whPath = `/inbound/buildkite/webhook/${a}`;
    const now = Math.floor(Date.now() / 1000);
    const signed = (token: string, ts = now) => ({ ...json, "x-buildkite-event": "build.finished", "x-buildkite-signature": `timestamp=${ts},signature=${signBody(token, String(ts), raw)}` });
    const cases: Array<[string, Record<string, string>]> = [
      ["a signature with the wrong token", signed("wrong-token")],
      ["another installation's token", signed(secrets.otherWebhookToken)],
      ["a stale timestamp", signed(secrets.webhookToken, now - 3600)],
      ["a signature over another body", { ...signed(secrets.webhookToken), "x-buildkite-signature": `timestamp=${now},signature=${signBody(secrets.webhookToken, String(now), raw + " ")}` }],
      ["a malformed signature header", { ...json, "x-buildkite-event": "build.finished", "x-buildkite-signature": "sha256=abc" }],
      ["a wrong X-Buildkite-Token", { ...json, "x-buildkite-event": "build.finished", "x-buildkite-token": "nope" }],
      ["no credential", { ...json, "x-buildkite-event": "build.finished" }],
    ];
    for (const [what, headers] of cases) expect401(await h.fetch("POST", whPath, raw, headers), `Buildkite webhook with ${what}`);
    expect401(await h.fetch("POST", `/inbound/buildkite/webhook/${other.installation.id}`, raw, signed(secrets.webhookToken)), "Buildkite webhook: this token on another installation");
  });

  it("another workspace's ids: a valid session of one tenant gets 401 on the other's repository", async () => {
    // Tenant B's admin, with a page opened for B's own repository, and with one whose URL names A's.
    const own = await sessionFor(h, ADMIN, other, OTHER_REPO);
    const ok = await h.fetch("GET", `/connect/api/repositories/${encodeURIComponent(OTHER_REPO.uuid)}/settings`, undefined, { authorization: `JWT ${own}` });
    assert.equal(ok.status, 200, `B reads its own repository's settings: ${ok.text}`);
    await assert.rejects(sessionFor(h, ADMIN, other, h.repo), /settings page answered 401/, "B's page is not opened for A's repository");
    const sessions = { "page of B's repository": own, "B's page API token naming A's repository": pageApiTokenFor(other, ADMIN, h.repo.uuid) };
    for (const [which, session] of Object.entries(sessions)) {
      const auth = { authorization: `JWT ${session}`, "content-type": "application/json" };
      for (const r of apiRoutes(h, integrations).filter((x) => UUID_IN_PATH.test(x.path))) {
        const path = `/connect/api${concrete(r.path, h.repo.uuid)}`;
        const res = await h.fetch(r.method, path, r.method === "GET" ? undefined : JSON.stringify({ values: {} }), auth);
        expect401(res, `${r.method} ${path} as B (${which})`);
      }
      const panel = await h.fetch("GET", `/connect/api/review-radar/panel?repoUuid=${encodeURIComponent(h.repo.uuid)}`, undefined, auth);
      expect401(panel, `review radar panel of A's repository as B (${which})`);
      const statuses = await h.fetch("POST", "/connect/api/review-radar/statuses", JSON.stringify({ repoUuid: h.repo.uuid, commits: ["5a741616cdf07dc87c5adafe784321eeeb639e33"] }), auth);
      expect401(statuses, `review radar statuses of A's repository as B (${which})`);
    }
  });

  it("another workspace's ids: a webhook signed by one tenant about the other's repository is refused", async () => {
    const payload = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName, workspaceUuid: h.tenant.workspace.uuid });
    expect401(await h.webhook("repo:push", payload, { tenant: other }), "a webhook of B's about A's repository");
  });

  it("another workspace's ids: one tenant cannot replay the other's job", async () => {
    // A job of tenant A, then tenant B (admin of its own repository) asks to replay it. A commit status
    // (review radar's handler runs whatever is switched on; a push makes no job while its integrations are off).
    const payload = forRepository(bitbucketWebhook("repo-commit_status_created.go-playground.json"), {
      uuid: h.repo.uuid,
      fullName: h.repo.fullName,
      workspaceUuid: h.tenant.workspace.uuid,
    });
    const stored = await h.webhook("repo:commit_status_created", payload);
    assert.equal(stored.status, 204);
    const job = await Job.findOne({ where: { installationId: h.tenant.installation.id }, order: [["createdAt", "DESC"]] });
    assert.ok(job, "tenant A has a job");
    for (const repo of [OTHER_REPO, h.repo]) {
      const auth = { authorization: `JWT ${pageApiTokenFor(other, ADMIN, repo.uuid)}`, "content-type": "application/json" };
      const res = await h.fetch("POST", `/connect/api/repositories/${encodeURIComponent(repo.uuid)}/activity/jobs/${job.id}/replay`, undefined, auth);
      expect401(res, `replay via ${repo.fullName}`);
    }
    assert.equal(await Job.count({ where: { replayOf: job.id } }), 0, "no replay created");
    counts = JSON.stringify([await Delivery.count(), await Job.count(), await Installation.count()]);
  });
});
