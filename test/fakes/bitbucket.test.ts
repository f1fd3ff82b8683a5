import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import * as jwt from "atlassian-jwt";
import { FakeBitbucket } from "./bitbucket";
import { extractSubset, FULL_SPEC_PATH, loadSubset } from "./bitbucket/spec/openapi-subset";

const APP_KEY = "bitbucket-relay";
const INSTALL = { clientKey: "connection:111", sharedSecret: "s3cret-of-ws-one", appKey: APP_KEY, workspace: { uuid: "{aaaaaaaa-1111-4111-a111-111111111111}", slug: "ws-one" } };
const OTHER = { clientKey: "connection:222", sharedSecret: "s3cret-of-ws-two", appKey: APP_KEY, workspace: { uuid: "{bbbbbbbb-2222-4222-a222-222222222222}", slug: "ws-two" } };
const SHA = "0123456789abcdef0123456789abcdef01234567";

interface SignOptions {
  secret?: string;
  sub?: string;
  iss?: string;
  /** Sign for this method + path-and-query instead of the real one. */
  qshFor?: [string, string];
  expOffsetSeconds?: number;
}

/** What the app sends: iss = app key, sub = clientKey, qsh over method + path + query. */
function sign(method: string, url: string, o: SignOptions = {}): string {
  const u = new URL(url);
  const [qm, qp] = o.qshFor ?? [method, `${u.pathname}${u.search}`];
  const iat = Math.floor(Date.now() / 1000);
  const claims = { iss: o.iss ?? APP_KEY, sub: o.sub ?? INSTALL.clientKey, iat, exp: iat + (o.expOffsetSeconds ?? 180), qsh: jwt.createQueryStringHash(jwt.fromMethodAndUrl(qm, qp)) };
  return jwt.encodeSymmetric(claims, o.secret ?? INSTALL.sharedSecret, jwt.SymmetricAlgorithm.HS256);
}

interface Res {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

async function call(method: string, url: string, opts: { auth?: string; body?: unknown; form?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { accept: "application/json" };
  let body: string | undefined;
  if (opts.auth) headers.authorization = opts.auth;
  if (opts.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  if (opts.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A call with a correctly signed Connect JWT. */
function jwtCall(method: string, url: string, opts: { body?: unknown } & SignOptions = {}): Promise<Res> {
  return call(method, url, { ...opts, auth: `JWT ${sign(method, url, opts)}` });
}

async function grantToken(fake: FakeBitbucket): Promise<string> {
  const url = `${fake.url}/site/oauth2/access_token`;
  const res = await call("POST", url, { auth: `JWT ${sign("POST", url)}`, form: { grant_type: "urn:bitbucket:oauth2:jwt" } });
  assert.equal(res.status, 200);
  return String(res.json.access_token);
}

function values(res: Res): Array<Record<string, unknown>> {
  assert.ok(Array.isArray(res.json.values), "paginated response has values");
  return res.json.values as Array<Record<string, unknown>>;
}

describe("FakeBitbucket", () => {
  let fake: FakeBitbucket;
  let repoUrl: string;

  beforeEach(async () => {
    fake = await FakeBitbucket.start();
    fake.addInstallation(INSTALL);
    fake.addInstallation(OTHER);
    fake.addRepository({ workspace: "ws-one", slug: "app", uuid: "{cccccccc-3333-4333-a333-333333333333}", mainBranch: "trunk" });
    fake.addRepository({ workspace: "ws-two", slug: "secret", uuid: "{dddddddd-4444-4444-a444-444444444444}" });
    repoUrl = `${fake.url}/2.0/repositories/ws-one/app`;
  });

  afterEach(() => fake.close());

  describe("Connect JWT", () => {
    it("accepts a correctly signed JWT and serves the repository", async () => {
      assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(fake.host, fake.url.slice("http://".length));
      const res = await jwtCall("GET", repoUrl);
      assert.equal(res.status, 200);
      assert.equal(res.json.type, "repository");
      assert.equal(res.json.uuid, "{cccccccc-3333-4333-a333-333333333333}");
      assert.equal(res.json.full_name, "ws-one/app");
      assert.deepEqual(res.json.mainbranch, { name: "trunk", type: "branch" });
      assert.deepEqual((res.json.workspace as Record<string, unknown>).uuid, INSTALL.workspace.uuid);
      assert.equal((res.json.links as { html: { href: string } }).html.href, `${fake.url}/ws-one/app`);
      assert.deepEqual(fake.calls[0].auth, { kind: "jwt", clientKey: INSTALL.clientKey });
    });

    it("verifies the qsh over the query string too", async () => {
      const url = `${repoUrl}/pullrequests?state=OPEN&pagelen=10&fields=%2Bvalues.participants`;
      assert.equal((await jwtCall("GET", url)).status, 200);
    });

    it("rejects a JWT signed with the wrong secret", async () => {
      const res = await jwtCall("GET", repoUrl, { secret: "not-the-secret" });
      assert.equal(res.status, 401);
      assert.equal(res.json.type, "error");
      assert.match(String((res.json.error as { message: string }).message), /signature/);
      assert.deepEqual(fake.calls[0].auth, { kind: "jwt", clientKey: null });
    });

    it("rejects a JWT whose qsh was computed for another request", async () => {
      assert.equal((await jwtCall("GET", `${repoUrl}?x=1`, { qshFor: ["GET", "/2.0/repositories/ws-one/app?x=2"] })).status, 401);
      assert.equal((await jwtCall("GET", repoUrl, { qshFor: ["POST", "/2.0/repositories/ws-one/app"] })).status, 401);
    });

    it("rejects an expired JWT", async () => {
      const res = await jwtCall("GET", repoUrl, { expOffsetSeconds: -5 });
      assert.equal(res.status, 401);
      assert.match(String((res.json.error as { message: string }).message), /expired/);
    });

    it("rejects an unknown sub or an iss that is not the app key", async () => {
      assert.equal((await jwtCall("GET", repoUrl, { sub: "connection:nope" })).status, 401);
      assert.equal((await jwtCall("GET", repoUrl, { iss: INSTALL.clientKey })).status, 401);
    });

    it("rejects Basic auth (app passwords are gone) and anonymous API calls", async () => {
      const basic = await call("GET", repoUrl, { auth: `Basic ${Buffer.from("user:app-password").toString("base64")}` });
      assert.equal(basic.status, 401);
      assert.equal((await call("GET", repoUrl)).status, 401);
      assert.deepEqual(fake.calls.map((c) => c.auth), [
        { kind: "none", clientKey: null },
        { kind: "none", clientKey: null },
      ]);
    });

    it("keeps installations inside their workspace", async () => {
      const res = await jwtCall("GET", `${fake.url}/2.0/repositories/ws-two/secret`);
      assert.equal(res.status, 404);
      assert.equal(res.json.type, "error");
    });

    it("answers 404 for unknown paths and 405 for known paths with another method", async () => {
      assert.equal((await jwtCall("GET", `${fake.url}/2.0/user`)).status, 404);
      assert.equal((await jwtCall("DELETE", repoUrl)).status, 405);
    });
  });

  describe("JWT grant and Bearer tokens", () => {
    it("swaps a JWT for an access token that works as Bearer", async () => {
      const url = `${fake.url}/site/oauth2/access_token`;
      const res = await call("POST", url, { auth: `JWT ${sign("POST", url)}`, form: { grant_type: "urn:bitbucket:oauth2:jwt" } });
      assert.equal(res.status, 200);
      assert.equal(res.json.token_type, "bearer");
      assert.equal(res.json.expires_in, 3600);
      assert.equal(typeof res.json.access_token, "string");
      assert.equal(typeof res.json.refresh_token, "string");
      assert.equal(typeof res.json.scopes, "string");

      const api = await call("GET", repoUrl, { auth: `Bearer ${String(res.json.access_token)}` });
      assert.equal(api.status, 200);
      assert.deepEqual(fake.callsTo("GET", /\/repositories\/ws-one\/app$/)[0].auth, { kind: "bearer", clientKey: INSTALL.clientKey });
    });

    it("refuses another grant type, a JWT for another request and a missing JWT", async () => {
      const url = `${fake.url}/site/oauth2/access_token`;
      const wrongGrant = await call("POST", url, { auth: `JWT ${sign("POST", url)}`, form: { grant_type: "client_credentials" } });
      assert.equal(wrongGrant.status, 400);
      assert.equal(wrongGrant.json.error, "unsupported_grant_type");
      const wrongQsh = await call("POST", url, { auth: `JWT ${sign("GET", url)}`, form: { grant_type: "urn:bitbucket:oauth2:jwt" } });
      assert.equal(wrongQsh.status, 401);
      assert.equal((await call("POST", url, { form: { grant_type: "urn:bitbucket:oauth2:jwt" } })).status, 401);
    });

    it("answers 401 once tokens expire, and for unknown tokens", async () => {
      const token = await grantToken(fake);
      fake.expireBearerTokens();
      const res = await call("GET", repoUrl, { auth: `Bearer ${token}` });
      assert.equal(res.status, 401);
      assert.match(String((res.json.error as { message: string }).message), /expired/);
      assert.equal((await call("GET", repoUrl, { auth: "Bearer made-up" })).status, 401);
    });

    it("accepts registered opaque tokens (Forge system tokens)", async () => {
      fake.addBearerToken("forge-system-token", "forge-install-1", { workspace: "ws-one" });
      const res = await call("GET", repoUrl, { auth: "Bearer forge-system-token" });
      assert.equal(res.status, 200);
      assert.deepEqual(fake.calls[0].auth, { kind: "bearer", clientKey: "forge-install-1" });
      assert.equal((await call("GET", `${fake.url}/2.0/repositories/ws-two/secret`, { auth: "Bearer forge-system-token" })).status, 404);
    });
  });

  describe("archive downloads", () => {
    const archiveUrl = () => `${fake.url}/ws-one/app/get/${SHA}.tar.gz`;

    it("streams the archive for a Bearer token and refuses a JWT", async () => {
      const bytes = Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4]);
      fake.setArchive("ws-one", "app", SHA, bytes);
      const token = await grantToken(fake);
      const ok = await fetch(archiveUrl(), { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get("content-type"), "application/x-gzip");
      assert.deepEqual(Buffer.from(await ok.arrayBuffer()), bytes);

      const withJwt = await call("GET", archiveUrl(), { auth: `JWT ${sign("GET", archiveUrl())}` });
      assert.equal(withJwt.status, 401);
      assert.equal((await call("GET", archiveUrl())).status, 401);
    });

    it("serves stream factories and 404s unknown revisions", async () => {
      fake.setArchive("ws-one", "app", SHA, () => Readable.from([Buffer.from("part1-"), Buffer.from("part2")]));
      const token = await grantToken(fake);
      const ok = await fetch(archiveUrl(), { headers: { authorization: `Bearer ${token}` } });
      assert.equal(await ok.text(), "part1-part2");
      const missing = await fetch(`${fake.url}/ws-one/app/get/ffffffffffff.tar.gz`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(missing.status, 404);
    });
  });

  describe("build statuses", () => {
    const statusUrl = () => `${repoUrl}/commit/${SHA}/statuses/build`;
    const good = { key: "buildkite-pipeline", state: "INPROGRESS", name: "Pipeline #7", url: "https://buildkite.com/org/p/builds/7", description: "Running", refname: "feature/x" };

    it("creates a status from the app's body (no `type`) and returns the commitstatus object", async () => {
      const res = await jwtCall("POST", statusUrl(), { body: good });
      assert.equal(res.status, 201);
      assert.equal(res.json.type, "build");
      assert.equal(res.json.key, good.key);
      assert.equal(res.json.state, "INPROGRESS");
      assert.equal(res.json.refname, "feature/x");
      assert.match(String(res.json.created_on), /^\d{4}-\d{2}-\d{2}T[\d:.]+\+00:00$/);
      const links = res.json.links as { self: { href: string }; commit: { href: string } };
      assert.equal(links.commit.href, `${repoUrl}/commit/${SHA}`);
      assert.equal(links.self.href, `${statusUrl()}/${good.key}`);
      assert.equal(fake.statuses("ws-one", "app", SHA).length, 1);
    });

    it("overwrites a status with the same key", async () => {
      await jwtCall("POST", statusUrl(), { body: good });
      await jwtCall("POST", statusUrl(), { body: { ...good, state: "SUCCESSFUL" } });
      const stored = fake.statuses("ws-one", "app", SHA);
      assert.equal(stored.length, 1);
      assert.equal(stored[0].state, "SUCCESSFUL");
    });

    it("rejects an invalid body with 400 and stores nothing", async () => {
      const bad = await jwtCall("POST", statusUrl(), { body: { key: "k", state: "DONE" } });
      assert.equal(bad.status, 400);
      const error = bad.json.error as { message: string; fields: Record<string, string[]> };
      assert.equal(error.message, "Bad request");
      assert.ok(error.fields.state, "names the bad field");
      const missing = await jwtCall("POST", statusUrl(), { body: { state: "SUCCESSFUL" } });
      assert.equal(missing.status, 400);
      assert.ok((missing.json.error as { fields: Record<string, unknown> }).fields.key);
      assert.deepEqual(fake.statuses("ws-one", "app", SHA), []);
    });

    it("rejects keys longer than 40 characters", async () => {
      const res = await jwtCall("POST", statusUrl(), { body: { ...good, key: "k".repeat(41) } });
      assert.equal(res.status, 400);
      assert.ok((res.json.error as { fields: Record<string, unknown> }).fields.key);
      assert.equal((await jwtCall("POST", statusUrl(), { body: { ...good, key: "k".repeat(40) } })).status, 201);
    });

    it("gets, updates (PUT) and lists statuses; PUT on a missing key is 404", async () => {
      await jwtCall("POST", statusUrl(), { body: good });
      const one = await jwtCall("GET", `${statusUrl()}/${good.key}`);
      assert.equal(one.status, 200);
      assert.equal(one.json.name, "Pipeline #7");
      const put = await jwtCall("PUT", `${statusUrl()}/${good.key}`, { body: { key: good.key, state: "FAILED" } });
      assert.equal(put.status, 200);
      assert.equal(put.json.state, "FAILED");
      assert.equal(put.json.name, "Pipeline #7", "PUT keeps the fields it was not given");
      assert.equal((await jwtCall("PUT", `${statusUrl()}/${good.key}`, { body: { key: good.key, state: "NOPE" } })).status, 400);
      assert.equal((await jwtCall("PUT", `${statusUrl()}/nope`, { body: { key: "nope", state: "FAILED" } })).status, 404);
      assert.equal((await jwtCall("GET", `${statusUrl()}/nope`)).status, 404);
      const list = await jwtCall("GET", `${repoUrl}/commit/${SHA}/statuses`);
      assert.deepEqual(values(list).map((s) => s.state), ["FAILED"]);
    });

    it("answers 400 for malformed JSON and bad q; resolves abbreviated shas to the known commit", async () => {
      const res = await fetch(statusUrl(), { method: "POST", headers: { authorization: `JWT ${sign("POST", statusUrl())}`, "content-type": "application/json" }, body: "{oops" });
      assert.equal(res.status, 400);
      await jwtCall("POST", statusUrl(), { body: good });
      const shortUrl = `${repoUrl}/commit/${SHA.slice(0, 12)}/statuses`;
      assert.deepEqual(values(await jwtCall("GET", shortUrl)).map((s) => s.key), [good.key]);
      assert.equal((await jwtCall("GET", `${shortUrl}?q=${encodeURIComponent('state = "INPROGRESS" AND (')}`)).status, 400);
    });
  });

  describe("pull requests", () => {
    const reviewer = { account_id: "5b90d99f96cb052b5f65ab5d", display_name: "Rita Reviewer" };

    function addPrs(count: number): void {
      for (let id = 1; id <= count; id++) {
        fake.addPullRequest("ws-one", "app", {
          id,
          title: `PR ${id}`,
          description: "long text",
          source: { branch: { name: `feature/${id}` }, commit: { hash: SHA } },
          participants: [{ user: reviewer, role: "REVIEWER", approved: id % 2 === 0 }],
        });
      }
    }

    it("pages 120 pull requests at pagelen=50 in 3 calls by following next links", async () => {
      addPrs(120);
      let next: string | undefined = `${repoUrl}/pullrequests?pagelen=50&fields=${encodeURIComponent("+values.participants")}`;
      const ids: number[] = [];
      let calls = 0;
      while (next) {
        const res = await jwtCall("GET", next);
        assert.equal(res.status, 200);
        calls++;
        assert.equal(res.json.pagelen, 50);
        for (const v of values(res)) {
          ids.push(Number(v.id));
          assert.ok(Array.isArray(v.participants), "fields travels along in next links");
        }
        next = typeof res.json.next === "string" ? res.json.next : undefined;
        if (next) assert.ok(next.startsWith(`${fake.url}/2.0/repositories/ws-one/app/pullrequests?`));
      }
      assert.equal(calls, 3);
      assert.equal(new Set(ids).size, 120);
    });

    it("defaults to pagelen 10 and caps pagelen at 50", async () => {
      addPrs(60);
      assert.equal(values(await jwtCall("GET", `${repoUrl}/pullrequests`)).length, 10);
      const capped = await jwtCall("GET", `${repoUrl}/pullrequests?pagelen=100`);
      assert.equal(capped.json.pagelen, 50);
      assert.equal(values(capped).length, 50);
    });

    it("omits participants and reviewers from the list unless fields asks for them", async () => {
      addPrs(1);
      const plain = values(await jwtCall("GET", `${repoUrl}/pullrequests`))[0];
      assert.equal(plain.participants, undefined);
      assert.equal(plain.reviewers, undefined);
      assert.equal(plain.title, "PR 1");

      const fields = encodeURIComponent("+values.participants,+values.reviewers,-values.description,-values.summary");
      const withThem = await jwtCall("GET", `${repoUrl}/pullrequests?fields=${fields}`);
      const pr = values(withThem)[0];
      const participants = pr.participants as Array<{ user: { account_id: string }; role: string; approved: boolean; state: unknown }>;
      assert.equal(participants[0].user.account_id, reviewer.account_id);
      assert.equal(participants[0].role, "REVIEWER");
      assert.equal((pr.reviewers as unknown[]).length, 1);
      assert.equal(pr.description, undefined);
      assert.equal(pr.summary, undefined);
      assert.equal(pr.title, "PR 1");
      assert.equal(withThem.json.pagelen, 10, "the envelope stays");

      const restricted = await jwtCall("GET", `${repoUrl}/pullrequests?fields=values.participants.*`);
      assert.deepEqual(Object.keys(restricted.json), ["values"]);
      assert.deepEqual(Object.keys(values(restricted)[0]), ["participants"]);

      // An unencoded "+" is a space: it matches nothing (like Bitbucket).
      const unencoded = await jwtCall("GET", `${repoUrl}/pullrequests?fields=+values.participants`);
      assert.equal(unencoded.json.values, undefined);
    });

    it("serves the full pull request (with participants) and its statuses", async () => {
      addPrs(1);
      const res = await jwtCall("GET", `${repoUrl}/pullrequests/1`);
      assert.equal(res.status, 200);
      assert.equal(res.json.type, "pullrequest");
      assert.equal((res.json.participants as unknown[]).length, 1);
      const source = res.json.source as { branch: { name: string }; commit: { hash: string } };
      assert.equal(source.branch.name, "feature/1");
      assert.equal(source.commit.hash, SHA.slice(0, 12), "Bitbucket abbreviates PR commit hashes");
      assert.equal((res.json.links as { html: { href: string } }).html.href, `${fake.url}/ws-one/app/pull-requests/1`);
      assert.equal((await jwtCall("GET", `${repoUrl}/pullrequests/2`)).status, 404);

      await jwtCall("POST", `${repoUrl}/commit/${SHA}/statuses/build`, { body: { key: "ci", state: "SUCCESSFUL", url: "https://ci/1" } });
      const statuses = await jwtCall("GET", `${repoUrl}/pullrequests/1/statuses`);
      assert.deepEqual(values(statuses).map((s) => s.key), ["ci"]);
    });

    it("filters by repeated state (default OPEN) and by q", async () => {
      fake.addPullRequest("ws-one", "app", { id: 1, state: "OPEN", reviewers: [reviewer] });
      fake.addPullRequest("ws-one", "app", { id: 2, state: "MERGED" });
      fake.addPullRequest("ws-one", "app", { id: 3, state: "DECLINED" });
      const ids = async (query: string) => values(await jwtCall("GET", `${repoUrl}/pullrequests${query}`)).map((v) => v.id);
      assert.deepEqual(await ids(""), [1]);
      assert.deepEqual(await ids("?state=MERGED&state=OPEN"), [2, 1]);
      assert.deepEqual(await ids(`?q=${encodeURIComponent(`reviewers.account_id="${reviewer.account_id}"`)}`), [1]);
    });
  });

  describe("repository permissions", () => {
    it("lists repository_permission objects filtered by q on user.account_id", async () => {
      fake.setRepoPermission("ws-one", "app", "acc-admin", "admin");
      fake.setRepoPermission("ws-one", "app", "acc-writer", "write");
      fake.setRepoPermission("ws-one", "app", "acc-gone", "none");
      const base = `${fake.url}/2.0/workspaces/ws-one/permissions/repositories/app`;
      const all = await jwtCall("GET", base);
      assert.equal(values(all).length, 2);
      const q = encodeURIComponent('user.account_id="acc-writer"');
      const one = values(await jwtCall("GET", `${base}?q=${q}`));
      assert.equal(one.length, 1);
      assert.equal(one[0].type, "repository_permission");
      assert.equal(one[0].permission, "write");
      assert.equal((one[0].user as { account_id: string }).account_id, "acc-writer");
      assert.equal((one[0].repository as { full_name: string }).full_name, "ws-one/app");
      const above = values(await jwtCall("GET", `${base}?q=${encodeURIComponent('permission>"write"')}`));
      assert.deepEqual(above.map((p) => p.permission), ["admin"]);
      assert.equal(values(await jwtCall("GET", `${base}?q=${encodeURIComponent('user.account_id="acc-gone"')}`)).length, 0);
    });
  });

  describe("fault injection and latency", () => {
    it("answers 503 twice, then serves normally", async () => {
      fake.inject({ method: "GET", path: /\/repositories\/ws-one\/app$/, status: 503, times: 2 });
      assert.equal((await jwtCall("GET", repoUrl)).status, 503);
      assert.equal((await jwtCall("GET", repoUrl)).status, 503);
      assert.equal((await jwtCall("GET", repoUrl)).status, 200);
      assert.deepEqual(fake.calls.map((c) => c.status), [503, 503, 200]);
    });

    it("sends Retry-After with an injected 429", async () => {
      fake.inject({ path: /pullrequests/, status: 429, retryAfter: 7 });
      const res = await jwtCall("GET", `${repoUrl}/pullrequests`);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get("retry-after"), "7");
      assert.equal(res.json.type, "error");
      assert.equal((await jwtCall("GET", `${repoUrl}/pullrequests`)).status, 200);
    });

    it("delays answers", async () => {
      fake.setLatency(60);
      let t = Date.now();
      await jwtCall("GET", repoUrl);
      assert.ok(Date.now() - t >= 55);
      fake.setLatency(0);
      fake.inject({ latencyMs: 60 });
      t = Date.now();
      assert.equal((await jwtCall("GET", repoUrl)).status, 200);
      assert.ok(Date.now() - t >= 55);
    });
  });

  describe("call recording", () => {
    it("records method, path, query, body, auth and status", async () => {
      const url = `${repoUrl}/commit/${SHA}/statuses/build?x=1&x=2`;
      await jwtCall("POST", url, { body: { key: "k", state: "SUCCESSFUL" } });
      await call("GET", repoUrl);
      assert.equal(fake.calls.length, 2);
      const [post, anon] = fake.calls;
      assert.equal(post.method, "POST");
      assert.equal(post.path, `/2.0/repositories/ws-one/app/commit/${SHA}/statuses/build`);
      assert.deepEqual(post.query, { x: ["1", "2"] });
      assert.deepEqual(post.body, { key: "k", state: "SUCCESSFUL" });
      assert.deepEqual(post.auth, { kind: "jwt", clientKey: INSTALL.clientKey });
      assert.equal(post.status, 201);
      assert.ok(post.at <= Date.now());
      assert.deepEqual(anon.auth, { kind: "none", clientKey: null });
      assert.equal(anon.status, 401);
      assert.equal(fake.callsTo("post", /statuses\/build$/).length, 1);
      fake.resetCalls();
      assert.equal(fake.calls.length, 0);
    });
  });

  describe("vendored OpenAPI subset", () => {
    it("is a verbatim extract of the official spec it names (the copy in test/fixtures, same sha256)", () => {
      const raw = readFileSync(FULL_SPEC_PATH);
      const full: unknown = JSON.parse(raw.toString("utf8"));
      const subset = loadSubset();
      assert.equal(createHash("sha256").update(raw).digest("hex"), (subset["x-subset-of"] as { sha256: string }).sha256);
      assert.deepEqual({ paths: subset.paths, components: subset.components }, extractSubset(full));
    });
  });
});
