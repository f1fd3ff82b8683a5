import assert from "node:assert/strict";
import { Harness } from "../helpers/harness";
import { SecretBox } from "../../src/crypto/secrets";
import { CookieSessions, cookieValue } from "../../src/web/session/cookie-session";
import { CookieTransport } from "../../ui/lib/cookie-transport";
import { TransportError } from "../../ui/lib/transport";
import type { IntegrationId } from "../../src/settings/registry";
import { ADMIN, STRANGER, TEST_ID, grantDefaults, repoBase } from "./support";
import { SessionRouter } from "./session-router";

const HOUR_MS = 60 * 60_000;

describe("Cookie sessions (pages a door serves itself)", () => {
  let h: Harness;
  let r: SessionRouter;
  let sessions: CookieSessions;
  before(async () => {
    h = await Harness.start();
    grantDefaults(h);
    sessions = new CookieSessions(h.services);
    r = await SessionRouter.start(h, sessions);
  });
  after(async () => {
    await r.close();
    await h.close();
  });

  const channelOf = async () => (await h.services.settings.get(h.tenant.installation.id, h.repo.uuid, TEST_ID as IntegrationId)) as unknown as { channel: string };

  it("sets an HttpOnly, SameSite=Lax cookie holding ids only, and yields the same Principal as the Connect and Forge credentials", async () => {
    const { cookie, setCookie } = await r.login(ADMIN, h.repo.uuid);
    assert.match(setCookie, /^relay-session=/);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Lax/);
    assert.match(setCookie, /; Path=\//);
    assert.doesNotMatch(setCookie, /; Secure/, "BASE_URL is http here");
    const claims = JSON.parse(Buffer.from(cookie.split("=")[1]!.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(claims).sort(), ["aud", "exp", "iat", "ins", "iss", "jti", "repo", "sub"]);
    assert.ok(!JSON.stringify(claims).includes(h.tenant.sharedSecret), "no secret of the installation in the cookie");

    const me = await r.fetch("GET", "/test/whoami", { cookie });
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { installationId: h.tenant.installation.id, host: "connect", accountId: ADMIN, repositoryUuid: h.repo.uuid });
    // The host-agnostic API takes it like any door's principal: repository access is asked of Bitbucket.
    const settings = await r.fetch("GET", `/test/api${repoBase(h)}/settings`, { cookie });
    assert.equal(settings.status, 200);
    assert.equal(((await settings.json()) as { permission: string }).permission, "admin");
  });

  it("is Secure and __Host- prefixed when BASE_URL is https", async () => {
    const secure = new CookieSessions({ ...h.services, config: { baseUrl: "https://relay.example.com" } });
    const other = await SessionRouter.start(h, secure);
    try {
      const { setCookie } = await other.login(ADMIN);
      assert.match(setCookie, /^__Host-relay-session=/);
      assert.match(setCookie, /; Secure/);
      assert.match(setCookie, /; HttpOnly/);
    } finally {
      await other.close();
    }
  });

  it("answers 401 to a missing, tampered, foreign-key or unsigned cookie", async () => {
    const { cookie } = await r.login(ADMIN, h.repo.uuid);
    const [name, token] = cookie.split("=") as [string, string];
    const [head, body, sig] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, "base64url").toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "someone-else" })).toString("base64url");
    const flipped = sig.slice(0, -2) + (sig.endsWith("AA") ? "BB" : "AA");
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "relay-session+jwt" })).toString("base64url")}.${body}.`;
    // A session signed by another app instance's key (another ENCRYPTION_KEY).
    const foreignRouter = await SessionRouter.start(h, new CookieSessions({ ...h.services, box: SecretBox.fromKeyMaterial("b".repeat(64)) }));
    const foreign = (await foreignRouter.login(ADMIN)).cookie;
    await foreignRouter.close();
    const cases: Record<string, string | undefined> = {
      missing: undefined,
      "payload changed": `${name}=${head}.${forged}.${sig}`,
      "signature changed": `${name}=${head}.${body}.${flipped}`,
      "alg none": `${name}=${unsigned}`,
      "other key": foreign,
      garbage: `${name}=not-a-jwt`,
    };
    for (const [what, c] of Object.entries(cases)) {
      const res = await r.fetch("GET", "/test/whoami", { cookie: c });
      assert.equal(res.status, 401, what);
      assert.match(((await res.json()) as { error: string }).error, /not logged in|invalid session/, what);
    }
  });

  it("answers 401 to an expired session", async () => {
    const past = new CookieSessions(h.services, { clock: () => Date.now() - 9 * HOUR_MS });
    const old = await SessionRouter.start(h, past);
    try {
      const { cookie } = await old.login(ADMIN, h.repo.uuid);
      const res = await r.fetch("GET", "/test/whoami", { cookie });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: "session expired, log in again" });
    } finally {
      await old.close();
    }
  });

  it("refuses writes without the session's CSRF token (403), or from another origin, and changes nothing", async () => {
    const { cookie, csrfToken } = await r.login(ADMIN, h.repo.uuid);
    const other = await r.login(ADMIN, h.repo.uuid);
    const path = `/test/api${repoBase(h)}/settings/${TEST_ID}`;
    const body = { values: { channel: "csrf-attempt" } };
    const before = (await channelOf()).channel;
    const attempts: Array<[string, Record<string, string>]> = [
      ["no token", {}],
      ["another session's token", { "x-csrf-token": other.csrfToken }],
      ["empty token", { "x-csrf-token": "" }],
      ["cross-origin", { "x-csrf-token": csrfToken, origin: "https://evil.example" }],
    ];
    for (const [what, headers] of attempts) {
      const res = await r.fetch("PUT", path, { cookie, body, headers });
      assert.equal(res.status, 403, what);
    }
    assert.equal((await r.fetch("POST", "/test/logout", { cookie })).status, 403, "logout is a write too");
    assert.equal((await channelOf()).channel, before, "nothing was saved");

    const ok = await r.fetch("PUT", path, { cookie, body: { values: { channel: "ops" } }, headers: { "x-csrf-token": csrfToken, origin: new URL(h.services.config.baseUrl).origin } });
    assert.equal(ok.status, 200, await ok.text());
    assert.equal((await channelOf()).channel, "ops");
  });

  it("keeps the API's own rules: a user without access and a repository the session is not bound to are refused", async () => {
    const stranger = await r.login(STRANGER, h.repo.uuid);
    assert.equal((await r.fetch("GET", `/test/api${repoBase(h)}/settings`, { cookie: stranger.cookie })).status, 403);
    const unbound = await r.login(ADMIN);
    assert.equal((await r.fetch("GET", `/test/api${repoBase(h)}/settings`, { cookie: unbound.cookie })).status, 401);
  });

  it("logs out by replacing the cookie with an expired one", async () => {
    const { cookie, csrfToken } = await r.login(ADMIN, h.repo.uuid);
    const res = await r.fetch("POST", "/test/logout", { cookie, headers: { "x-csrf-token": csrfToken } });
    assert.equal(res.status, 204);
    const cleared = res.headers.getSetCookie()[0] ?? "";
    assert.match(cleared, /^relay-session=;/);
    assert.match(cleared, /Expires=Thu, 01 Jan 1970/);
  });

  it("reads only its own cookie from the Cookie header", () => {
    assert.equal(cookieValue("a=1; relay-session=x.y.z; b=2", "relay-session"), "x.y.z");
    assert.equal(cookieValue("relay-sessionX=1", "relay-session"), null);
    assert.equal(cookieValue(undefined, "relay-session"), null);
    assert.equal(cookieValue("relay-session=", "relay-session"), null);
  });

  describe("cookie transport (ui/lib/cookie-transport.ts)", () => {
    /** The browser's part: send the session cookie with same-origin requests (`credentials: "same-origin"`). */
    const browserFetch = (cookie: string, seen: RequestInit[]): typeof fetch => (input, init) => {
      seen.push(init ?? {});
      assert.equal(init?.credentials, "same-origin");
      return fetch(`${r.url}${String(input)}`, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie } });
    };

    it("reads with the cookie alone and writes with the CSRF header", async () => {
      const { cookie, csrfToken } = await r.login(ADMIN, h.repo.uuid);
      const seen: RequestInit[] = [];
      const t = new CookieTransport(csrfToken, "/test/api", browserFetch(cookie, seen));
      const me = await t.get<{ host: string; accountId: string }>("/me");
      assert.deepEqual([me.host, me.accountId], ["connect", ADMIN]);
      await t.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { channel: "via-transport" } });
      assert.equal((await channelOf()).channel, "via-transport");
      assert.equal((seen[0]!.headers as Record<string, string>)["x-csrf-token"], undefined, "no CSRF header on reads");
      assert.equal((seen[1]!.headers as Record<string, string>)["x-csrf-token"], csrfToken);
    });

    it("rejects with the API's status and reason", async () => {
      const { cookie } = await r.login(ADMIN, h.repo.uuid);
      const t = new CookieTransport("wrong-token", "/test/api", browserFetch(cookie, []));
      await assert.rejects(t.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { channel: "x" } }), (err: unknown) => {
        assert.ok(err instanceof TransportError);
        assert.equal(err.status, 403);
        assert.equal(err.message, "invalid CSRF token");
        return true;
      });
      const loggedOut = new CookieTransport("", "/test/api", browserFetch("relay-session=", []));
      await assert.rejects(loggedOut.get("/me"), (err: unknown) => err instanceof TransportError && err.status === 401);
    });
  });
});
