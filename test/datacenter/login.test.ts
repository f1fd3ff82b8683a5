import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import nodePath from "node:path";
import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { SignJWT } from "jose";
import { createLogger } from "../../src/config/logger";
import { QueryTypes } from "sequelize";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { reencryptSecrets, sealedColumns } from "../../src/crypto/rotation";
import { SecretBox } from "../../src/crypto/secrets";
import { DcLoginAttempt, dcUserGrantAad } from "../../src/datacenter/login/models";
import { LOGIN_ATTEMPT_TTL_MS, MAX_PENDING_LOGINS } from "../../src/datacenter/login/attempts";
import { FakeDataCenter } from "../fakes/datacenter";
import { dcOAuth } from "../fakes/datacenter/routes/oauth";
import { Harness } from "../helpers/harness";
import { bootstrapOf, CookieJar, dcLoginSetup, hop, logInAs, stopDcLogin, type DcLoginSetup } from "../helpers/dc-login";

/** "Log in with Bitbucket Data Center" over HTTP against the fake DC's OAuth 2.0 server (issue 16). */
describe("Data Center door: log in with Bitbucket Data Center", () => {
  let s: DcLoginSetup;
  beforeEach(async () => {
    s = await dcLoginSetup();
  });
  afterEach(async () => stopDcLogin(s));

  const app = (path: string) => `${s.h.url}${path}`;
  const repoId = () => mintDataCenterRepositoryId(s.dc.fake.baseUrl, s.dc.repo.id);
  const api = (jar: CookieJar, method: "GET" | "PUT", path: string, o: { body?: unknown; csrf?: string | null; origin?: string } = {}) =>
    hop(app(`/datacenter/api${path}`), {
      jar,
      appUrl: s.h.url,
      method,
      headers: {
        accept: "application/json",
        ...(o.body !== undefined ? { "content-type": "application/json" } : {}),
        ...(o.csrf ? { "x-csrf-token": o.csrf } : {}),
        ...(o.origin ? { origin: o.origin } : {}),
      },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
  const settingsPage = (jar: CookieJar, id = repoId()) => hop(app(`/datacenter/repos/${encodeURIComponent(id)}/settings`), { jar, appUrl: s.h.url });
  const radarPage = (jar: CookieJar, id = repoId()) => hop(app(`/datacenter/repos/${encodeURIComponent(id)}/review-radar`), { jar, appUrl: s.h.url });
  const grants = () => s.h.services.db.sequelize.query<{ dc_user_id: string; tokens_enc: string; slug: string }>("SELECT dc_user_id, tokens_enc, slug FROM dc_user_grants", { type: QueryTypes.SELECT });

  it("landing page, redirect to DC with PKCE S256 and state, callback, cookie session, picker", async () => {
    const landing = await hop(app("/datacenter"));
    assert.equal(landing.status, 200);
    assert.match(landing.text, new RegExp(`/datacenter/login\\?instance=${s.installation.hostScope}`));
    const { jar, start, authorize, callback } = await logInAs(s, s.alice);
    const to = new URL(start.location!);
    assert.equal(`${to.origin}${to.pathname}`, `${s.dc.fake.baseUrl}/rest/oauth2/latest/authorize`);
    assert.equal(to.searchParams.get("client_id"), "relay-client");
    assert.equal(to.searchParams.get("redirect_uri"), app("/datacenter/oauth/callback"));
    assert.equal(to.searchParams.get("response_type"), "code");
    assert.equal(to.searchParams.get("code_challenge_method"), "S256");
    assert.match(to.searchParams.get("code_challenge")!, /^[A-Za-z0-9_-]{43}$/);
    assert.match(to.searchParams.get("state")!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(to.searchParams.get("scope"), "REPO_READ REPO_ADMIN");
    assert.equal(new URL(authorize.location!).searchParams.get("state"), to.searchParams.get("state"));
    assert.equal(callback.status, 303, callback.text);
    assert.equal(callback.location, "/datacenter/repositories");
    const session = callback.setCookie.find((c) => c.startsWith("relay-session="))!;
    assert.match(session, /HttpOnly/i);
    assert.match(session, /SameSite=Lax/i);
    // The cookie carries ids only: no DC token, no code.
    const payload = JSON.parse(Buffer.from(jar.cookies.get("relay-session")!.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
    assert.deepEqual(Object.keys(payload).sort(), ["aud", "exp", "iat", "ins", "iss", "jti", "repo", "sub", "uid"]);
    assert.equal(payload.sub, "alice");
    assert.equal(payload.uid, String(s.alice.id));
    const [grant] = await grants();
    const issued = [...s.dc.fake.state.tokens.values()].filter((t) => t.userSlug === "alice").map((t) => t.token);
    assert.equal(issued.length, 1);
    assert.ok(!grant!.tokens_enc.includes(issued[0]!), "the user's access token is stored sealed");
    assert.ok(!JSON.stringify(payload).includes(issued[0]!));

    const picker = await hop(app("/datacenter/repositories"), { jar, appUrl: s.h.url });
    assert.equal(picker.status, 200);
    assert.match(picker.text, new RegExp(`/datacenter/repos/${encodeURIComponent(repoId())}/settings`));
    assert.match(picker.text, /Alice Admin/);
    const page = await settingsPage(jar);
    assert.equal(page.status, 200, page.text);
    const boot = bootstrapOf(page.text);
    assert.equal(boot.host, "datacenter");
    assert.equal(boot.apiBase, "/datacenter/api");
    assert.deepEqual(boot.repository, { uuid: repoId(), fullName: "PROJ/widgets" });
    assert.ok(!page.text.includes(issued[0]!));
    const csp = (await fetch(app(`/datacenter/repos/${encodeURIComponent(repoId())}/settings`), { headers: { cookie: jar.header() } })).headers.get("content-security-policy")!;
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(!csp.includes("bitbucket.org"), "no Connect all.js");
    assert.ok(!page.text.includes("all.js"));

    const read = await api(jar, "GET", `/repositories/${encodeURIComponent(repoId())}/settings`);
    assert.equal(read.status, 200, read.text);
    const write = await api(jar, "PUT", `/repositories/${encodeURIComponent(repoId())}/settings/review-radar`, { body: { values: { enabled: true } }, csrf: boot.csrfToken });
    assert.equal(write.status, 200, write.text);
    const me = await api(jar, "GET", "/me");
    assert.deepEqual({ host: (JSON.parse(me.text) as { host: string }).host, accountId: (JSON.parse(me.text) as { accountId: string }).accountId }, { host: "datacenter", accountId: "alice" });
  });

  it("a replayed, forged or missing state, or a callback in another browser, is refused and starts no session", async () => {
    const { callback, authorize } = await logInAs(s, s.alice);
    assert.equal(callback.status, 303);
    const replay = await hop(authorize.location!, { jar: new CookieJar(), appUrl: s.h.url });
    assert.equal(replay.status, 400);
    assert.match(replay.text, /unknown or already used login state/);

    const jar = new CookieJar();
    s.oauth.browserUser = s.alice;
    const start = await hop(app(`/datacenter/login?instance=${s.installation.hostScope}`), { jar, appUrl: s.h.url });
    const back = new URL((await hop(start.location!)).location!);
    const forged = new URL(back);
    forged.searchParams.set("state", "A".repeat(43));
    assert.equal((await hop(forged.toString(), { jar, appUrl: s.h.url })).status, 400);
    const missing = new URL(back);
    missing.searchParams.delete("state");
    assert.equal((await hop(missing.toString(), { jar, appUrl: s.h.url })).status, 400);
    const otherBrowser = await hop(back.toString(), { jar: new CookieJar(), appUrl: s.h.url });
    assert.equal(otherBrowser.status, 400);
    assert.match(otherBrowser.text, /another browser/);
    // That state is used up now, even by the browser that started it.
    const late = await hop(back.toString(), { jar, appUrl: s.h.url });
    assert.equal(late.status, 400);
    assert.ok(![otherBrowser, late].some((r) => r.setCookie.some((c) => /^relay-session=[^;]/.test(c))));
  });

  it("a flood of login starts stops at MAX_PENDING_LOGINS in progress (429, nothing stored); a login already started still finishes", async () => {
    const count = async () => Number((await s.h.services.db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM dc_login_attempts", { type: QueryTypes.SELECT }))[0]!.n);
    // Alice starts a login; then the table fills up to the cap with other starts (as a flood from many addresses would).
    const jar = new CookieJar();
    s.oauth.browserUser = s.alice;
    const start = await hop(app(`/datacenter/login?instance=${s.installation.hostScope}`), { jar, appUrl: s.h.url });
    assert.equal(start.status, 302);
    const now = Date.now();
    const filler = Array.from({ length: MAX_PENDING_LOGINS - 1 }, (_, i) => ({
      stateHash: createHash("sha256").update(`flood-${i}`).digest("hex"),
      installationId: s.installation.id,
      browserHash: "x",
      verifierEnc: "x",
      createdAt: now,
      expiresAt: now + LOGIN_ATTEMPT_TTL_MS,
    }));
    await DcLoginAttempt.bulkCreate(filler);
    assert.equal(await count(), MAX_PENDING_LOGINS);
    const refused = await hop(app(`/datacenter/login?instance=${s.installation.hostScope}`), { jar: new CookieJar(), appUrl: s.h.url });
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.headers["retry-after"], "60");
    assert.match(refused.text, /Too many logins are in progress/);
    assert.equal(refused.setCookie.length, 0, "no login cookie");
    assert.equal(await count(), MAX_PENDING_LOGINS, "nothing stored");
    // Alice's login, started before the flood, finishes.
    const callback = await hop((await hop(start.location!)).location!, { jar, appUrl: s.h.url });
    assert.equal(callback.status, 303, callback.text);
    // Once the flood's attempts expire, logins start again.
    await DcLoginAttempt.update({ expiresAt: now - 1 }, { where: { browserHash: "x" } });
    const again = await hop(app(`/datacenter/login?instance=${s.installation.hostScope}`), { jar: new CookieJar(), appUrl: s.h.url });
    assert.equal(again.status, 302);
    assert.equal(await count(), 1);
  });

  it("a user who denies access at DC gets a short reason and no session; the state is used up", async () => {
    s.oauth.consent = false;
    const { callback, authorize } = await logInAs(s, s.alice);
    assert.equal(new URL(authorize.location!).searchParams.get("error"), "access_denied");
    assert.equal(callback.status, 403);
    assert.match(callback.text, /did not grant access \(access_denied\)/);
    assert.ok(!callback.setCookie.some((c) => /^relay-session=[^;]/.test(c)));
    assert.equal(s.oauth.tokenRequests.length, 0, "no code to exchange");
    const count = await s.h.services.db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM dc_login_attempts", { type: QueryTypes.SELECT });
    assert.equal(Number(count[0]!.n), 0);
  });

  it("a reused code, an expired code and a code whose PKCE verifier does not match are refused by DC: no session", async () => {
    const first = await logInAs(s, s.alice);
    const usedCode = new URL(first.authorize.location!).searchParams.get("code")!;
    // A fresh login attempt (valid state and browser), handed the code already exchanged.
    const jar = new CookieJar();
    const start = await hop(app(`/datacenter/login?instance=${s.installation.hostScope}`), { jar, appUrl: s.h.url });
    const state = new URL(start.location!).searchParams.get("state")!;
    const reused = await hop(app(`/datacenter/oauth/callback?code=${usedCode}&state=${state}`), { jar, appUrl: s.h.url });
    assert.equal(reused.status, 400);
    assert.match(reused.text, /invalid_grant/);

    // Attempt B's code brought back with attempt A's state, in A's browser: A's verifier does not match B's challenge.
    const a = await hop(app(`/datacenter/login?instance=${s.installation.hostScope}`), { jar, appUrl: s.h.url });
    const stateA = new URL(a.location!).searchParams.get("state")!;
    const b = await hop(app(`/datacenter/login?instance=${s.installation.hostScope}`), { jar: new CookieJar(), appUrl: s.h.url });
    const codeB = new URL((await hop(b.location!)).location!).searchParams.get("code")!;
    const mixed = await hop(app(`/datacenter/oauth/callback?code=${codeB}&state=${stateA}`), { jar, appUrl: s.h.url });
    assert.equal(mixed.status, 400);
    assert.match(mixed.text, /invalid_grant/);

    // A code older than DC's 10 s.
    const c = await hop(app(`/datacenter/login?instance=${s.installation.hostScope}`), { jar, appUrl: s.h.url });
    const back = (await hop(c.location!)).location!;
    const realNow = s.oauth.now;
    s.oauth.now = () => realNow() + 11_000;
    const expired = await hop(back, { jar, appUrl: s.h.url });
    assert.equal(expired.status, 400);
    const refused = s.oauth.tokenRequests.filter((t) => t.status !== 200).map((t) => t.error);
    assert.deepEqual(refused, ["invalid_grant", "invalid_grant", "invalid_grant"]);
    assert.equal((await grants()).length, 1, "only the first login stored tokens");
  });

  it("the fake DC's token endpoint: missing or wrong verifier, wrong redirect_uri, wrong client secret", async () => {
    s.oauth.browserUser = s.alice;
    const verifier = "v".repeat(43);
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const code = async () => {
      const u = new URL(`${s.dc.fake.baseUrl}/rest/oauth2/latest/authorize`);
      for (const [k, v] of Object.entries({ client_id: "relay-client", redirect_uri: app("/datacenter/oauth/callback"), response_type: "code", scope: "REPO_READ", state: "x", code_challenge: challenge, code_challenge_method: "S256" })) u.searchParams.set(k, v);
      return new URL((await hop(u.toString())).location!).searchParams.get("code")!;
    };
    const token = async (f: Record<string, string>) =>
      (await hop(`${s.dc.fake.baseUrl}/rest/oauth2/latest/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ grant_type: "authorization_code", client_id: "relay-client", client_secret: "relay-client-secret", redirect_uri: app("/datacenter/oauth/callback"), ...f }).toString() })).status;
    assert.equal(await token({ code: await code() }), 400, "no verifier");
    assert.equal(await token({ code: await code(), code_verifier: "w".repeat(43) }), 400, "wrong verifier");
    assert.equal(await token({ code: await code(), code_verifier: verifier, redirect_uri: "https://evil.example/cb" }), 400);
    assert.equal(await token({ code: await code(), code_verifier: verifier, client_secret: "nope" }), 401);
    const good = await code();
    assert.equal(await token({ code: good, code_verifier: verifier }), 200);
    assert.equal(await token({ code: good, code_verifier: verifier }), 400, "a code is used once");
    const badRedirect = new URL(`${s.dc.fake.baseUrl}/rest/oauth2/latest/authorize?client_id=relay-client&redirect_uri=${encodeURIComponent("https://evil.example/cb")}&response_type=code&code_challenge=${challenge}&code_challenge_method=S256`);
    assert.equal((await hop(badRedirect.toString())).status, 400, "never redirects to an unregistered URI");
  });

  it("the fake DC's repository list: permission capped by the token's scopes and the user, projectkey and name filters, paging", async () => {
    s.dc.fake.addRepository("PROJ", "gadgets", { name: "Gadgets" });
    s.dc.fake.addRepository("OTHER", "tools");
    const readOnly = s.dc.fake.issueToken({ user: s.bob, permissions: ["REPO_READ"] });
    const adminScopedReader = s.dc.fake.issueToken({ user: s.bob, permissions: ["REPO_ADMIN"] });
    const list = async (token: string, q: string) => {
      const res = await hop(`${s.dc.fake.baseUrl}/rest/api/latest/repos?${q}`, { headers: { authorization: `Bearer ${token}` } });
      return JSON.parse(res.text) as { values: Array<{ slug: string }>; isLastPage: boolean; nextPageStart?: number };
    };
    assert.deepEqual((await list(readOnly, "permission=REPO_READ")).values.map((r) => r.slug), ["gadgets", "widgets"]);
    assert.deepEqual((await list(adminScopedReader, "permission=REPO_ADMIN")).values, [], "capped by the user's own REPO_READ");
    assert.deepEqual((await list(readOnly, "projectkey=%20proj%20&name=GADGETS")).values.map((r) => r.slug), ["gadgets"]);
    const first = await list(readOnly, "limit=1");
    assert.deepEqual([first.values.length, first.isLastPage, first.nextPageStart], [1, false, 1]);
    const second = await list(readOnly, "limit=1&start=1");
    assert.deepEqual([second.values[0]!.slug, second.isLastPage], ["widgets", true]);
  });

  it("a forged, foreign-key or expired session cookie is refused; a cross-site write without the CSRF token is refused", async () => {
    const { jar } = await logInAs(s, s.alice);
    const page = bootstrapOf((await settingsPage(jar)).text);
    const path = `/repositories/${encodeURIComponent(repoId())}/settings/review-radar`;
    const forged = new CookieJar();
    forged.cookies.set("relay-session", `${jar.cookies.get("relay-session")!.slice(0, -4)}AAAA`);
    assert.equal((await api(forged, "GET", "/me")).status, 401);
    const key = s.h.services.box.deriveKey("cookie session v1");
    const claims = { ins: s.installation.id, repo: null, uid: String(s.alice.id) };
    const sign = (exp: number, k: Uint8Array = key) =>
      new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "relay-session+jwt" }).setJti("j").setSubject("alice").setIssuer(s.h.services.config.baseUrl).setAudience("relay-session").setIssuedAt(exp - 60).setExpirationTime(exp).sign(k);
    const expired = new CookieJar();
    expired.cookies.set("relay-session", await sign(Math.floor(Date.now() / 1000) - 10));
    const expiredRes = await api(expired, "GET", "/me");
    assert.equal(expiredRes.status, 401);
    assert.match(expiredRes.text, /expired/);
    const otherKey = new CookieJar();
    otherKey.cookies.set("relay-session", await sign(Math.floor(Date.now() / 1000) + 600, new Uint8Array(32).fill(7)));
    assert.equal((await api(otherKey, "GET", "/me")).status, 401);

    const noCsrf = await api(jar, "PUT", path, { body: { values: { enabled: true } } });
    assert.equal(noCsrf.status, 403);
    const crossSite = await api(jar, "PUT", path, { body: { values: { enabled: true } }, csrf: page.csrfToken, origin: "https://evil.example" });
    assert.equal(crossSite.status, 403);
    const logout = await hop(app("/datacenter/logout"), { jar, appUrl: s.h.url, method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "csrf=wrong" });
    assert.equal(logout.status, 403, "a cross-site logout form without the token does nothing");
    assert.equal((await grants()).length, 1);
  });

  it("a read-only user sees the review radar but not the settings; writes are refused; a user with no access sees nothing", async () => {
    const { jar } = await logInAs(s, s.bob);
    const picker = await hop(app("/datacenter/repositories"), { jar, appUrl: s.h.url });
    assert.ok(!picker.text.includes(`${encodeURIComponent(repoId())}/settings`));
    assert.match(picker.text, new RegExp(`${encodeURIComponent(repoId())}/review-radar`));
    assert.equal((await radarPage(jar)).status, 200);
    assert.equal((await settingsPage(jar)).status, 403);
    const boot = bootstrapOf((await radarPage(jar)).text);
    const write = await api(jar, "PUT", `/repositories/${encodeURIComponent(repoId())}/settings/review-radar`, { body: { values: { enabled: true } }, csrf: boot.csrfToken });
    assert.equal(write.status, 403);
    assert.match(write.text, /only repository admins/);
    const rows = await s.h.services.db.sequelize.query("SELECT id FROM repo_settings", { type: QueryTypes.SELECT });
    assert.equal(rows.length, 0);

    const carol = await logInAs(s, s.carol);
    assert.equal((await radarPage(carol.jar)).status, 403);
    assert.equal((await api(carol.jar, "GET", `/repositories/${encodeURIComponent(repoId())}/settings`)).status, 403);
    // Routes that rely on the repository binding alone (the radar's) are closed to her too.
    const panel = await api(carol.jar, "GET", `/review-radar/panel?repoUuid=${encodeURIComponent(repoId())}&repoPath=PROJ/widgets`);
    assert.equal(panel.status, 403);
    assert.match(panel.text, /no access/);
  });

  it("a repository of another Data Center instance is refused as misdirected (401)", async () => {
    const { jar } = await logInAs(s, s.alice);
    const foreign = mintDataCenterRepositoryId("https://other.example.com/bitbucket", s.dc.repo.id);
    assert.equal((await api(jar, "GET", `/repositories/${encodeURIComponent(foreign)}/settings`)).status, 401);
    assert.equal((await settingsPage(jar, foreign)).status, 401);
    const cloud = "{11111111-2222-4333-8444-555555555555}";
    assert.equal((await api(jar, "GET", `/repositories/${encodeURIComponent(cloud)}/settings`)).status, 401);
  });

  it("logout clears the cookie and forgets the user's tokens: the old cookie no longer works", async () => {
    const { jar } = await logInAs(s, s.alice);
    const old = jar.header();
    const page = bootstrapOf((await settingsPage(jar)).text);
    const out = await hop(app("/datacenter/logout"), { jar, appUrl: s.h.url, method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `csrf=${encodeURIComponent(page.csrfToken!)}` });
    assert.equal(out.status, 303);
    assert.ok(!jar.cookies.has("relay-session"), "the cookie is cleared");
    assert.equal((await grants()).length, 0, "the user's tokens are deleted");
    const replay = await hop(app("/datacenter/api/me"), { headers: { cookie: old } });
    assert.equal(replay.status, 401);
    assert.equal((await hop(app("/datacenter/repositories"), { headers: { cookie: old } })).status, 303);
  });

  it("an expired access token is refreshed with the refresh token; a refused refresh ends the login", async () => {
    s.oauth.accessTtlSeconds = 30; // inside the app's refresh margin: every use refreshes
    const { jar } = await logInAs(s, s.alice);
    assert.equal((await hop(app("/datacenter/repositories"), { jar, appUrl: s.h.url })).status, 200);
    assert.ok(s.oauth.tokenRequests.some((t) => t.grantType === "refresh_token" && t.status === 200));
    s.oauth.refreshTokens.clear(); // DC revoked the grant
    const page = await hop(app("/datacenter/repositories"), { jar, appUrl: s.h.url });
    assert.equal(page.status, 401);
    assert.match(page.text, /log in again/i);
    assert.equal((await grants()).length, 0);
  });

  it("the users' sealed tokens move to a new ENCRYPTION_KEY with the rotation pass", async () => {
    const cols = sealedColumns().map((c) => `${c.table}.${c.column}`);
    assert.ok(cols.includes("dc_user_grants.tokens_enc") && cols.includes("dc_login_attempts.verifier_enc"));
    await logInAs(s, s.alice);
    await hop(app(`/datacenter/login?instance=${s.installation.hostScope}`)); // a login in progress: a sealed verifier
    const next = SecretBox.fromKeyMaterial("b".repeat(64), [s.h.services.config.encryptionKey!]);
    const result = await reencryptSecrets({ db: s.h.services.db, box: next, log: s.h.services.log });
    assert.equal(result.unreadable, 0);
    assert.ok(result.reencrypted >= 3, "installation token, user grant, login verifier");
    const rows = await s.h.services.db.sequelize.query<{ id: string; tokens_enc: string }>("SELECT id, tokens_enc FROM dc_user_grants", { type: QueryTypes.SELECT });
    const opened = JSON.parse(SecretBox.fromKeyMaterial("b".repeat(64)).decrypt(rows[0]!.tokens_enc, dcUserGrantAad(rows[0]!.id))) as { accessToken: string };
    assert.ok(s.dc.fake.state.tokens.has(opened.accessToken));
  });
});

describe("Data Center door: nothing secret in the logs", () => {
  it("a login, a refresh and a failed login log no token, code, verifier or client secret", async () => {
    const lines: string[] = [];
    const log = createLogger("debug", new Writable({ write: (chunk: Buffer, _enc, cb) => (lines.push(chunk.toString()), cb()) }));
    const s = await dcLoginSetup({ log });
    try {
      s.oauth.accessTtlSeconds = 30; // every use refreshes
      const { jar, authorize } = await logInAs(s, s.alice);
      assert.equal((await hop(`${s.h.url}/datacenter/repositories`, { jar, appUrl: s.h.url })).status, 200);
      s.dc.fake.fault({ path: /oauth2\/latest\/token/, status: 500, times: 5 });
      const failed = await logInAs(s, s.alice);
      assert.equal(failed.callback.status, 502);
      const secrets = [
        ...[...s.dc.fake.state.tokens.keys()],
        ...s.oauth.refreshTokens.keys(),
        new URL(authorize.location!).searchParams.get("code")!,
        new URL(failed.authorize.location!).searchParams.get("code")!,
        s.dc.env.BITBUCKET_DC_CLIENT_SECRET!,
      ];
      const text = lines.join("");
      assert.match(text, /Data Center user logged in/);
      assert.match(text, /Data Center login failed/);
      for (const secret of secrets) assert.ok(!text.includes(secret), "a secret reached the log");
    } finally {
      await stopDcLogin(s);
    }
  });
});

describe("Data Center door: several instances", () => {
  it("the landing page lists each instance; a session of one instance is refused on the other's repository (401)", async () => {
    const a = await FakeDataCenter.start();
    const b = await FakeDataCenter.start();
    const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "relay-dc-login-"));
    let h: Harness | undefined;
    try {
      const repoA = a.addRepository("PROJ", "widgets");
      const repoB = b.addRepository("PROJ", "widgets");
      const alice = a.addUser("alice");
      a.grant(alice, "REPO_ADMIN", { repository: repoA });
      const aliceOnB = b.addUser("alice");
      b.grant(aliceOnB, "REPO_ADMIN", { repository: repoB });
      const inst = (fake: FakeDataCenter, name: string) => ({ baseUrl: fake.baseUrl, token: fake.issueToken({ permissions: ["REPO_ADMIN"], project: "PROJ" }), clientId: "relay-client", clientSecret: "relay-client-secret", name });
      const file = nodePath.join(dir, "dc.json");
      fs.writeFileSync(file, JSON.stringify({ instances: [inst(a, "Git A"), inst(b, "Git B")] }));
      h = await Harness.start({ install: false, env: { BITBUCKET_DC_INSTANCES_FILE: file } });
      for (const fake of [a, b]) dcOAuth(fake).addClient({ clientId: "relay-client", clientSecret: "relay-client-secret", redirectUri: `${h.url}/datacenter/oauth/callback` });
      const landing = await hop(`${h.url}/datacenter`);
      assert.match(landing.text, /Git A/);
      assert.match(landing.text, /Git B/);
      const idA = h.services.config.dataCenter.instances[0]!.id;
      dcOAuth(a).browserUser = alice;
      const jar = new CookieJar();
      const start = await hop(`${h.url}/datacenter/login?instance=${idA}`, { jar, appUrl: h.url });
      assert.ok(start.location!.startsWith(a.baseUrl));
      const back = await hop(start.location!);
      assert.equal((await hop(back.location!, { jar, appUrl: h.url })).status, 303);
      const onA = mintDataCenterRepositoryId(a.baseUrl, repoA.id);
      const onB = mintDataCenterRepositoryId(b.baseUrl, repoB.id);
      const get = (id: string) => hop(`${h!.url}/datacenter/api/repositories/${encodeURIComponent(id)}/settings`, { jar, appUrl: h!.url });
      assert.equal((await get(onA)).status, 200);
      const misdirected = await get(onB);
      assert.equal(misdirected.status, 401);
      assert.match(misdirected.text, /another Bitbucket instance/);
      assert.ok(!b.calls.some((c) => c.path.startsWith("/rest/api/latest/repos")), "instance B was never asked");
    } finally {
      await h?.close();
      await a.stop();
      await b.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
