import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { Delivery, Installation } from "../../src/models";
import { Harness } from "../helpers/harness";
import { APP_ID, ForgeHost, makeKey } from "./forge-host";

describe("Forge front door: FIT verification", () => {
  let f: ForgeHost;
  beforeEach(async () => {
    f = await ForgeHost.start();
  });
  afterEach(() => f.close());

  const me = (o: Parameters<ForgeHost["call"]>[3] = {}) => f.call("GET", "/forge/api/me", undefined, { moduleType: "bitbucket:repoCodeOverviewCard", ...o });

  it("accepts a valid RS256 FIT from the JWKS and serves the host-agnostic API as the FIT's principal", async () => {
    const res = await me({ principal: "712020:66666666-6666-4666-8666-666666666666" });
    assert.equal(res.status, 200, res.text);
    const body = res.json<{ host: string; accountId: string; workspace: { uuid: string } }>();
    assert.equal(body.host, "forge");
    assert.equal(body.accountId, "712020:66666666-6666-4666-8666-666666666666");
    assert.equal(body.workspace.uuid, f.workspaceUuid);
  });

  it("answers an expired, wrong-audience, wrong-issuer, wrong-key, unknown-kid, HS256, garbage or missing FIT with 401", async () => {
    const otherKeySameKid = await makeKey(f.key.kid);
    const unknownKid = await makeKey();
    const now = Math.floor(Date.now() / 1000);
    const hs256 = await new SignJWT(f.claims())
      .setProtectedHeader({ alg: "HS256", kid: f.key.kid })
      .setIssuer("forge/invocation-token")
      .setAudience(APP_ID)
      .setIssuedAt(now)
      .setExpirationTime(now + 25)
      .sign(new TextEncoder().encode("a-shared-secret-that-is-long-enough"));
    const cases: Array<[string, Parameters<ForgeHost["call"]>[3], RegExp]> = [
      ["expired", { expiresIn: -60 }, /expired/],
      ["wrong audience", { audience: "ari:cloud:ecosystem::app/11111111-0000-4000-8000-000000000000" }, /audience/],
      ["wrong issuer", { issuer: "someone-else" }, /issuer/],
      ["wrong key (same kid)", { key: otherKeySameKid }, /signature/],
      ["key not in the JWKS", { key: unknownKid }, /signature/],
      ["HS256", { fitToken: hs256 }, /algorithm|signature/],
      ["garbage", { fitToken: "not.a.jwt" }, /malformed/],
      ["missing", { fitToken: null }, /missing/],
    ];
    for (const [what, o, reason] of cases) {
      const res = await me(o);
      assert.equal(res.status, 401, `${what} → ${res.status} ${res.text}`);
      assert.match(res.json<{ error: string }>().error, reason, what);
    }
    assert.equal(await Installation.count({ where: { host: "forge" } }), 0, "no installation provisioned by a refused FIT");
  });

  it("fetches the JWKS once for many invocations (cached), and refuses an apiBaseUrl host it would not send tokens to", async () => {
    for (let i = 0; i < 5; i++) assert.equal((await me()).status, 200);
    assert.equal(f.jwks.fetches, 1);
    const evil = await f.call("POST", "/forge/events", { payload: {} }, { apiBaseUrl: "https://evil.example.com", installationId: "ari:cloud:ecosystem::installation/99999999-0000-4000-8000-000000000000" });
    assert.equal(evil.status, 403);
    assert.match(evil.json<{ error: string }>().error, /apiBaseUrl/);
    assert.equal(await Delivery.count(), 0);
  });

  it("answers 503 (not 401) when Forge's keys cannot be fetched", async () => {
    const h2 = await Harness.start({
      fake: f.fake,
      install: false,
      env: { FORGE_APP_ID: APP_ID, FORGE_JWKS_URL: "http://127.0.0.1:9/.well-known/jwks.json", FORGE_API_HOSTS: "127.0.0.1", HTTP_INLINE_RETRIES: "0" },
    });
    try {
      const res = await h2.fetch("GET", "/forge/api/me", undefined, { authorization: `Bearer ${await f.fit()}` });
      assert.equal(res.status, 503);
      assert.match(res.json<{ error: string }>().error, /keys unavailable/);
    } finally {
      await h2.close();
    }
  });

  it("keeps the door closed (404) when no FORGE_APP_ID is configured", async () => {
    const h2 = await Harness.start({ fake: f.fake, install: false });
    try {
      const res = await h2.fetch("GET", "/forge/api/me", undefined, { authorization: `Bearer ${await f.fit()}` });
      assert.equal(res.status, 404);
      assert.match(res.json<{ error: string }>().error, /not configured/);
    } finally {
      await h2.close();
    }
  });
});
