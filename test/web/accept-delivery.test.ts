import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { Harness } from "../helpers/harness";
import { Delivery } from "../../src/models";
import { checkHmac } from "../../src/crypto/hmac";
import { refuse } from "../../src/web/accept-delivery";
import { rawBodyOf } from "../../src/web/raw-body";
import { serveReceiver } from "./receiver-app";

/** What Bitbucket Data Center sends: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. */
const sign = (secret: string, raw: string) => `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
const EVENT_KEY = "test:signed";

/**
 * A receiver of the shape a Data Center door will mount (test-only: its event key has no handlers):
 * the webhook's secrets (current first, the previous one during a rotation) checked with the shared
 * `checkHmac` over the raw body, `diagnostics:ping` acknowledged unsigned, `X-Request-Id` as the
 * idempotency key, the repository scoped to the installation.
 */
describe("acceptDelivery with a signed-webhook receiver (verify → parse → scope → ingest → answer)", () => {
  let h: Harness;
  let receiver: { url: string; close(): Promise<void> };
  let url: string;
  const secrets = ["new-secret-1111", "old-secret-2222"];
  const allowedProject = "PROJ";

  before(async () => {
    h = await Harness.start();
    receiver = await serveReceiver(h, {
      source: "bitbucket",
      async verify(req) {
        const installation = await h.services.installations.get(String(req.params.installationId));
        if (!installation) return refuse(401, "unknown webhook");
        const signature = req.get("x-hub-signature");
        if (!signature && req.get("x-event-key") === "diagnostics:ping") return { ignore: "ping", status: 200, body: { ok: true } };
        const verdict = checkHmac(rawBodyOf(req) ?? Buffer.alloc(0), signature, secrets);
        return verdict.ok ? { installation } : refuse(401, verdict.reason);
      },
      parse(req) {
        const body = req.body as { repository?: { slug?: string; project?: { key?: string } } };
        if (!body?.repository?.slug) return refuse(400, "payload names no repository");
        const requestId = req.get("x-request-id");
        if (!requestId) return refuse(400, "missing X-Request-Id");
        return { eventKey: EVENT_KEY, payload: body, idempotencyKey: requestId, repository: { uuid: `{dc-${body.repository.slug}}`, fullName: null } };
      },
      scope: ({ payload }) => (payload.repository?.project?.key === allowedProject ? null : refuse(403, "repository is outside this installation")),
    });
    url = receiver.url;
  });
  after(async () => {
    await receiver.close();
    await h.close();
  });

  const deliver = (raw: string, headers: Record<string, string>) =>
    fetch(url, { method: "POST", body: raw, headers: { "content-type": "application/json", "x-event-key": "repo:refs_changed", ...headers } });
  const stored = () => Delivery.count({ where: { eventKey: EVENT_KEY } });
  const body = (slug: string, project = allowedProject) => JSON.stringify({ eventKey: "repo:refs_changed", repository: { slug, project: { key: project } } });

  it("stores a delivery signed with the current or the previous secret, once per X-Request-Id", async () => {
    const before = await stored();
    const raw = body("widgets");
    const id = randomUUID();
    assert.equal((await deliver(raw, { "x-hub-signature": sign(secrets[0]!, raw), "x-request-id": id })).status, 204);
    assert.equal((await deliver(raw, { "x-hub-signature": sign(secrets[0]!, raw), "x-request-id": id })).status, 200, "a redelivery is a duplicate");
    assert.equal((await deliver(raw, { "x-hub-signature": sign(secrets[1]!, raw), "x-request-id": randomUUID() })).status, 204, "the previous secret still verifies");
    assert.equal(await stored(), before + 2);
  });

  it("refuses forged, missing, malformed and tampered signatures with 401, storing nothing", async () => {
    const before = await stored();
    const raw = body("widgets");
    const cases: Record<string, Record<string, string>> = {
      "wrong secret": { "x-hub-signature": sign("not-the-secret", raw) },
      missing: {},
      malformed: { "x-hub-signature": "sha256=abc" },
      "other algorithm": { "x-hub-signature": `sha1=${createHmac("sha1", secrets[0]!).update(raw).digest("hex")}` },
    };
    for (const [what, headers] of Object.entries(cases)) {
      const res = await deliver(raw, { ...headers, "x-request-id": randomUUID() });
      assert.equal(res.status, 401, what);
    }
    // Signed over one body, sent with another: the raw bytes are what is verified.
    const tampered = await deliver(body("other"), { "x-hub-signature": sign(secrets[0]!, raw), "x-request-id": randomUUID() });
    assert.equal(tampered.status, 401);
    // The same JSON with other whitespace is other bytes.
    const spaced = JSON.stringify(JSON.parse(raw), null, 2);
    assert.equal((await deliver(spaced, { "x-hub-signature": sign(secrets[0]!, raw), "x-request-id": randomUUID() })).status, 401);
    assert.equal(await stored(), before);
  });

  it("acknowledges an unsigned ping without storing, and refuses a repository outside the installation with 403", async () => {
    const before = await stored();
    const ping = await deliver('{"test":true}', { "x-event-key": "diagnostics:ping", "x-request-id": randomUUID() });
    assert.equal(ping.status, 200);
    assert.deepEqual(await ping.json(), { ok: true });
    const raw = body("widgets", "OTHER");
    const outside = await deliver(raw, { "x-hub-signature": sign(secrets[0]!, raw), "x-request-id": randomUUID() });
    assert.equal(outside.status, 403);
    const noRepo = JSON.stringify({ eventKey: "repo:refs_changed" });
    assert.equal((await deliver(noRepo, { "x-hub-signature": sign(secrets[0]!, noRepo), "x-request-id": randomUUID() })).status, 400);
    assert.equal(await stored(), before);
  });
});
