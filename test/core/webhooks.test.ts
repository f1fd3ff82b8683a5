import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Harness } from "../helpers/harness";
import { bitbucketJwt } from "../helpers/jwt";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { registerEchoHandler, pushPayload } from "../helpers/echo-handler";
import { Delivery, Job } from "../../src/models";

const SHA = "6ca0691239785a619fa1dce7bf1073f50499cd60";

describe("Bitbucket webhooks through the Connect door", () => {
  let h: Harness;
  let push: Record<string, unknown>;
  beforeEach(async () => {
    h = await Harness.start({ integrations: [], registerHandlers: (r) => registerEchoHandler(r) });
    push = pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName, workspaceUuid: h.tenant.workspace.uuid }), SHA);
  });
  afterEach(() => h.close());

  it("install → signed webhook → stored → processed → a Bitbucket call the fake accepts as correctly signed", async () => {
    const res = await h.webhook("repo:push", push);
    assert.equal(res.status, 204);
    const delivery = await Delivery.findOne();
    assert.equal(delivery?.eventKey, "repo:push");
    assert.equal(delivery?.repositoryUuid, h.repo.uuid);
    await waitFor(async () => (await Job.findOne({ where: { status: "done" } })) ?? false, "job done");
    const calls = h.fake.callsTo("POST", /\/commit\/[0-9a-f]+\/statuses\/build$/);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.status, 201);
    assert.equal(calls[0]!.auth.kind, "jwt");
    assert.equal(calls[0]!.auth.clientKey, h.tenant.clientKey);
    assert.equal(h.fake.statuses("acme", "widgets", SHA)[0]?.state, "SUCCESSFUL");
  });

  it("stores the body as Bitbucket sent it and mints no session token per webhook (ACE's middleware is off this path)", async () => {
    const body = JSON.stringify(push, null, 2); // not what serializing the parsed payload again gives
    const res = await h.webhook("repo:push", body);
    assert.equal(res.status, 204);
    assert.equal(res.headers["x-acpt"], undefined, "no ACE session token in the answer");
    const delivery = await Delivery.findOne();
    assert.equal(delivery?.payload, body);
    await waitFor(async () => (await Job.findOne({ where: { status: "done" } })) ?? false, "job done");
  });

  it("stores a burst of deliveries committed together (more rows than one statement's parameters allow) and processes each once", async () => {
    const n = 150;
    const statuses = await Promise.all(
      Array.from({ length: n }, (_, i) => h.webhook("repo:push", pushPayload(push, i.toString(16).padStart(40, "a")))),
    );
    assert.deepEqual(new Set(statuses.map((r) => r.status)), new Set([204]));
    assert.equal(await Delivery.count(), n);
    await h.drained();
    assert.equal(await Job.count({ where: { status: "done" } }), n);
    assert.equal(new Set(h.fake.callsTo("POST", /\/statuses\/build$/).map((c) => c.path)).size, n);
  });

  it("answers a forged, expired, wrong-qsh or missing JWT with 401 and stores nothing", async () => {
    const path = "/connect/webhooks/repo/push";
    const cases: Array<[string, string | null]> = [
      ["forged", bitbucketJwt("POST", path, { clientKey: h.tenant.clientKey, sharedSecret: "not-the-secret-at-all" })],
      ["expired", bitbucketJwt("POST", path, { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, expiresIn: -60 })],
      ["wrong qsh", bitbucketJwt("POST", "/connect/webhooks/pullrequest/created", { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret })],
      ["unknown client", bitbucketJwt("POST", path, { clientKey: "ari:cloud:bitbucket::app/nobody", sharedSecret: h.tenant.sharedSecret })],
      ["garbage", "not.a.jwt"],
      ["missing", null],
    ];
    for (const [what, jwt] of cases) {
      const res = await h.webhook("repo:push", push, { jwt });
      assert.equal(res.status, 401, `${what} → ${res.status} ${res.text}`);
      assert.ok(res.json<{ error: string }>().error, "short reason");
    }
    assert.equal(await Delivery.count(), 0);
    assert.equal(await Job.count(), 0);
  });

  it("processes a duplicate delivery (same X-Request-UUID) once", async () => {
    const id = randomUUID();
    assert.equal((await h.webhook("repo:push", push, { requestUuid: id })).status, 204);
    assert.equal((await h.webhook("repo:push", push, { requestUuid: id })).status, 200);
    await waitFor(async () => (await Job.count({ where: { status: "done" } })) === 1, "job done");
    await h.drained();
    assert.equal(await Delivery.count(), 1);
    assert.equal(await Job.count(), 1);
    assert.equal(h.fake.callsTo("POST", /statuses\/build$/).length, 1);
  });

  it("answers a replay (same JWT and body, another delivery id) with 401; the same JWT may sign another body", async () => {
    const token = h.jwtFor("POST", "/connect/webhooks/repo/push");
    const id = randomUUID();
    assert.equal((await h.webhook("repo:push", push, { jwt: token, requestUuid: id })).status, 204);
    assert.equal((await h.webhook("repo:push", push, { jwt: token, requestUuid: id })).status, 200, "Bitbucket's own retry is a duplicate");
    const replay = await h.webhook("repo:push", push, { jwt: token, requestUuid: randomUUID() });
    assert.equal(replay.status, 401);
    assert.equal(await Delivery.count(), 1);
    // Bitbucket's JWTs carry no nonce: two different events signed in the same second share a token.
    const other = pushPayload(push, "3".repeat(40));
    assert.equal((await h.webhook("repo:push", other, { jwt: token, requestUuid: randomUUID() })).status, 204);
    assert.equal(await Delivery.count(), 2);
  });

  it("answers bad input with a 4xx and a short reason, storing nothing", async () => {
    const jwt = (p: string) => ({ authorization: `JWT ${h.jwtFor("POST", p)}` });
    const p = "/connect/webhooks/repo/push";
    const notJson = await h.fetch("POST", p, "{not json", { "content-type": "application/json", ...jwt(p) });
    assert.equal(notJson.status, 400);
    const huge = JSON.stringify({ ...push, pad: "x".repeat(1024 * 1024 + 10) });
    assert.equal((await h.fetch("POST", p, huge, { "content-type": "application/json", ...jwt(p) })).status, 413);
    assert.equal((await h.webhook("repo:explode", push)).status, 400);
    const missingRepo = { ...push, repository: undefined };
    const bad = await h.webhook("repo:push", missingRepo);
    assert.equal(bad.status, 400);
    assert.match(bad.json<{ error: string }>().error, /repository/);
    assert.equal((await h.webhook("repo:push", { ...push, push: { changes: "nope" } })).status, 400);
    const other = forRepository(push, { uuid: "{other}", fullName: "evil/repo", workspaceUuid: "{another-workspace}" });
    assert.equal((await h.webhook("repo:push", other)).status, 401, "this tenant's token, another workspace's repository: misdirected");
    assert.equal(await Delivery.count(), 0);
  });

  it("keeps workspace A's events out of workspace B's installation", async () => {
    const b = await h.install({ workspace: { uuid: "{bbbbbbbb-0000-4000-8000-000000000000}", slug: "beta" }, repo: false });
    // B signs a delivery for A's repository: refused, since the repository is outside B's workspace.
    const res = await h.webhook("repo:push", push, { tenant: b });
    assert.equal(res.status, 401, "a misdirected credential (docs/architecture.md, Security)");
    assert.equal(await Delivery.count({ where: { installationId: b.installation.id } }), 0);
  });
});
