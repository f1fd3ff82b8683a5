import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { Express } from "express";
import { Harness, type Response } from "../helpers/harness";
import { ForgeHost } from "../forge/forge-host";
import { forbiddenKeyPath } from "../../src/web/api/body-policy";
import { ADMIN, apiAs, grantDefaults, repoBase, sessionFor } from "./support";

interface RouteInfo {
  method: string;
  path: string;
}
interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  regexp: RegExp;
}

/** Every route of the API router that the app mounts at `mount` (read from Express's own tables). */
function apiRoutes(app: Express, mount: string): RouteInfo[] {
  const top = (app as unknown as { _router: { stack: Layer[] } })._router.stack;
  const api = top.filter((l) => l.regexp.test(mount) && l.handle.stack?.some((x) => x.route || x.handle.stack)).at(-1);
  assert.ok(api, `the API router is mounted at ${mount}`);
  const out: RouteInfo[] = [];
  const walk = (stack: Layer[]) => {
    for (const l of stack) {
      if (l.route) for (const m of Object.keys(l.route.methods)) out.push({ method: m.toUpperCase(), path: l.route.path });
      else if (l.handle.stack) walk(l.handle.stack);
    }
  };
  walk(api.handle.stack!);
  return out;
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** The write routes declared as taking no body (the policy router registers them first, then the real ones). */
const BODYLESS = [
  "POST /repositories/:repoUuid/settings/:integration/actions/:action",
  "POST /repositories/:repoUuid/activity/jobs/:jobId/replay",
  "POST /repositories/:repoUuid/insights/backfill",
  // The Data Center door's webhook section (src/datacenter/webhooks/routes.ts; 404 on these hosts).
  "POST /repositories/:repoUuid/settings/webhook/repair",
  "POST /repositories/:repoUuid/settings/webhook/rotate-secret",
];

function concrete(path: string, repoUuid: string): string {
  return path
    .replace(":repoUuid", encodeURIComponent(repoUuid))
    .replace(":integration", "buildkite")
    .replace(":action", "test")
    .replace(":jobId", randomUUID());
}

const VALUE = JSON.stringify({ values: { enabled: false } });
/** Requests that carry no usable JSON object, and the status each must get. */
const BAD: Array<{ what: string; body?: string; type?: string; status: number; reason: RegExp }> = [
  { what: "text/plain", body: VALUE, type: "text/plain", status: 415, reason: /Content-Type must be application\/json \(got text\/plain\)/ },
  { what: "application/xml", body: "<values><enabled>false</enabled></values>", type: "application/xml", status: 415, reason: /application\/xml/ },
  { what: "multipart/form-data", body: `--x\r\nContent-Disposition: form-data; name="values"\r\n\r\n${VALUE}\r\n--x--\r\n`, type: "multipart/form-data; boundary=x", status: 415, reason: /multipart\/form-data/ },
  { what: "a form", body: "values%5Benabled%5D=false", type: "application/x-www-form-urlencoded", status: 415, reason: /x-www-form-urlencoded/ },
  { what: "no content type", body: VALUE, status: 415, reason: /none was sent/ },
  { what: "an empty JSON body", body: "", type: "application/json", status: 400, reason: /missing/ },
  { what: "no body at all", status: 400, reason: /missing/ },
  { what: "an empty JSON object", body: "{}", type: "application/json", status: 400, reason: /empty/ },
  { what: "a JSON array", body: "[]", type: "application/json", status: 400, reason: /JSON object/ },
  { what: "__proto__ in values", body: '{"values":{"__proto__":{"enabled":false}}}', type: "application/json", status: 400, reason: /"values\.__proto__" is not allowed/ },
  { what: "constructor deep down", body: '{"values":{"enabled":false,"x":[{"constructor":{"prototype":{"enabled":true}}}]}}', type: "application/json; charset=utf-8", status: 400, reason: /"values\.x\.0\.constructor" is not allowed/ },
  { what: "prototype in secrets", body: '{"secrets":{"prototype":"abcdefghijk"}}', type: "application/json", status: 400, reason: /"secrets\.prototype" is not allowed/ },
];

type Send = (method: string, path: string, body: string | undefined, type: string | undefined) => Promise<Response>;

async function sweep(routes: RouteInfo[], repoUuid: string, send: Send): Promise<number> {
  const writes = routes.filter((r) => WRITES.has(r.method) && !BODYLESS.includes(`${r.method} ${r.path}`));
  for (const r of writes) {
    for (const bad of BAD) {
      const res = await send(r.method, concrete(r.path, repoUuid), bad.body, bad.type);
      assert.equal(res.status, bad.status, `${r.method} ${r.path} with ${bad.what}: ${res.text}`);
      assert.match(res.json<{ error: string }>().error, bad.reason, `${r.method} ${r.path} with ${bad.what}`);
    }
  }
  return writes.length;
}

describe("The page API's JSON body rule (every write route, both front doors)", () => {
  describe("Connect (/connect/api)", () => {
    let h: Harness;
    beforeEach(async () => {
      h = await Harness.start();
      grantDefaults(h);
    });
    afterEach(() => h.close());

    it("answers 415 / 400 with the reason to every write route, and a refused write changes nothing", async () => {
      const token = await sessionFor(h, ADMIN);
      const api = apiAs(h, token);
      const on = await api.put(`${repoBase(h)}/settings/buildkite`, { values: { enabled: true } });
      assert.equal(on.status, 200, on.text);

      const routes = apiRoutes(h.relay.app, "/connect/api");
      for (const b of BODYLESS) assert.ok(routes.some((r) => `${r.method} ${r.path}` === b), `${b} is a route`);
      const send: Send = (method, path, body, type) =>
        h.fetch(method, `/connect/api${path}`, body, { authorization: `JWT ${token}`, ...(type ? { "content-type": type } : {}) });
      const swept = await sweep(routes, h.repo.uuid, send);
      assert.ok(swept >= 2, `write routes swept: ${swept}`);

      const card = (await api.get(`${repoBase(h)}/settings`)).json<{ integrations: Array<{ id: string; enabled: boolean }> }>();
      assert.equal(card.integrations.find((c) => c.id === "buildkite")?.enabled, true, "the card still says enabled: nothing was saved");
      const nothing = await api.put(`${repoBase(h)}/settings/buildkite`, { values: {}, secrets: {} });
      assert.equal(nothing.status, 400);
      assert.match(nothing.json<{ error: string }>().error, /nothing to save/);
      // The same write as JSON is saved.
      const off = await api.put(`${repoBase(h)}/settings/buildkite`, { values: { enabled: false } });
      assert.equal(off.status, 200, off.text);
      assert.equal(off.json<{ enabled: boolean }>().enabled, false);
    });

    it("lets the routes declared bodyless through without a body or with the page's `{}`", async () => {
      const token = await sessionFor(h, ADMIN);
      const api = apiAs(h, token);
      const action = await h.fetch("POST", `/connect/api${repoBase(h)}/settings/buildkite/actions/nope`, undefined, { authorization: `JWT ${token}` });
      assert.equal(action.status, 404, "reaches the route (unknown action), not the body rule");
      const replay = await api.post(`${repoBase(h)}/activity/jobs/${randomUUID()}/replay`, {});
      assert.equal(replay.status, 404, "reaches the route (no such job), not the body rule");
    });
  });

  describe("Forge (/forge/api)", () => {
    let f: ForgeHost;
    beforeEach(async () => {
      f = await ForgeHost.start();
      f.fake.setRepoPermission("acme", "widgets", ADMIN, "admin");
    });
    afterEach(() => f.close());

    it("answers 415 / 400 with the reason to every write route", async () => {
      const ui = { moduleType: "bitbucket:repoSettingsMenuPage", moduleKey: "relay-settings", repositoryUuid: f.h.repo.uuid, principal: ADMIN };
      const send: Send = async (method, path, body, type) =>
        f.h.fetch(method, `/forge/api${path}`, body, { authorization: `Bearer ${await f.fit(ui)}`, ...(type ? { "content-type": type } : {}) });
      const swept = await sweep(apiRoutes(f.h.relay.app, "/forge/api"), f.h.repo.uuid, send);
      assert.ok(swept >= 2, `write routes swept: ${swept}`);
    });
  });

  it("finds a forbidden key at any depth, iteratively", () => {
    let deep: unknown = { constructor: 1 };
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    assert.equal(forbiddenKeyPath(deep)?.split(".").length, 100_001);
    assert.equal(forbiddenKeyPath({ values: { ok: [1, { fine: true }] } }), null);
  });
});
