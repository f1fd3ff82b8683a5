import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createHmac } from "node:crypto";
import Ajv2020 from "ajv/dist/2020";
import YAML from "yaml";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { enqueueWebhookRepair } from "../../src/datacenter/webhooks/jobs";
import type { DataCenterWebhookState } from "../../src/datacenter/webhooks/routes";
import { DataCenterWebhookStore, PREVIOUS_SECRET_GRACE_MS } from "../../src/datacenter/webhooks/store";
import { Job } from "../../src/models";
import { dcEventFor } from "../helpers/datacenter-events";
import { bootstrapOf, hop, logInAs, dcLoginSetup, stopDcLogin, type CookieJar, type DcLoginSetup } from "../helpers/dc-login";
import { Harness } from "../helpers/harness";
import { ADMIN, apiAs, grantDefaults, repoBase, sessionFor } from "../web/support";

const SPEC = YAML.parse(fs.readFileSync(path.resolve(__dirname, "../../docs/openapi.yaml"), "utf8")) as object;

/**
 * Issue 16 step 3: the settings page's "Data Center webhook" section over the page API
 * (`/datacenter/api/repositories/{id}/settings/webhook[/repair|/rotate-secret]`): the state after
 * registration, after the fake DC lost or disabled the hook and the repair ran, DC's latest delivery,
 * a reader's view without the actions, refused writes that change nothing, and no secret in any answer.
 */
describe("Data Center door: the webhook on the settings page (state, Repair now, Rotate secret)", function () {
  this.timeout(60_000);
  let s: DcLoginSetup;
  let admin: { jar: CookieJar; csrf: string };
  let reader: { jar: CookieJar; csrf: string };
  let store: DataCenterWebhookStore;
  /** Every answer the API gave in this file: none may hold a secret. */
  const answers: string[] = [];
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(SPEC, "openapi");
  const documented = (body: unknown) => {
    const validate = ajv.getSchema("openapi#/components/schemas/DataCenterWebhookState")!;
    assert.ok(validate(body), `DataCenterWebhookState: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  };

  const repoId = () => mintDataCenterRepositoryId(s.dc.fake.baseUrl, s.dc.repo.id);
  const base = () => `/datacenter/api/repositories/${encodeURIComponent(repoId())}/settings`;
  const call = async (who: { jar: CookieJar; csrf: string }, method: "GET" | "POST" | "PUT", p: string, o: { body?: unknown; csrf?: boolean } = {}) => {
    const res = await hop(`${s.h.url}${base()}${p}`, {
      jar: who.jar,
      appUrl: s.h.url,
      method,
      headers: { accept: "application/json", ...(o.body !== undefined ? { "content-type": "application/json" } : {}), ...(o.csrf === false ? {} : { "x-csrf-token": who.csrf }) },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
    answers.push(res.text);
    return { status: res.status, text: res.text, json: () => JSON.parse(res.text) as DataCenterWebhookState };
  };
  const state = async (who = admin) => {
    const res = await call(who, "GET", "/webhook");
    assert.equal(res.status, 200, res.text);
    documented(res.json());
    return res.json();
  };
  const hooks = () => s.dc.fake.webhooks.of(s.dc.repo);
  const syncJobs = () => Job.count({ where: { handler: "datacenter.webhook-sync", repositoryUuid: repoId() } });
  const login = async (user: DcLoginSetup["alice"]) => {
    const { jar } = await logInAs(s, user);
    const page = await hop(`${s.h.url}/datacenter/repos/${encodeURIComponent(repoId())}/review-radar`, { jar, appUrl: s.h.url });
    return { jar, csrf: bootstrapOf(page.text).csrfToken! };
  };

  before(async () => {
    s = await dcLoginSetup();
    store = new DataCenterWebhookStore(s.h.services.db, s.h.services.box);
    admin = await login(s.alice);
    reader = await login(s.bob);
  });
  after(async () => stopDcLogin(s));

  it("before any integration is on: no webhook, and Repair now / Rotate secret are 409 with nothing queued", async () => {
    const st = await state();
    assert.deepEqual({ ...st, repository: null }, { repository: null, canManage: true, wanted: false, webhook: null, checking: false, retryScheduled: false, rotating: false });
    assert.deepEqual(st.repository, { uuid: repoId(), fullName: "PROJ/widgets" });
    for (const action of ["/webhook/repair", "/webhook/rotate-secret"]) {
      const res = await call(admin, "POST", action, { body: {} });
      assert.equal(res.status, 409, res.text);
      assert.match(res.text, /no integration is switched on/);
    }
    assert.equal(await syncJobs(), 0);
  });

  it("after an admin switches an integration on: registered, DC's events, the check's outcome and time, no error, no delivery yet", async () => {
    const on = await call(admin, "PUT", "/review-radar", { body: { values: { enabled: true } } });
    assert.equal(on.status, 200, on.text);
    await s.h.drained();
    const st = await state();
    const hook = hooks()[0]!;
    assert.equal(hooks().length, 1);
    assert.equal(st.wanted, true);
    assert.deepEqual(
      { registered: st.webhook!.registered, webhookId: st.webhook!.webhookId, state: st.webhook!.state, lastError: st.webhook!.lastError, lastDelivery: st.webhook!.lastDelivery, previousSecretUntil: st.webhook!.previousSecretUntil },
      { registered: true, webhookId: hook.id, state: "registered", lastError: null, lastDelivery: null, previousSecretUntil: null },
    );
    assert.deepEqual(st.webhook!.events, hook.events);
    assert.ok(st.webhook!.events.includes("repo:refs_changed"));
    assert.ok(Math.abs(st.webhook!.checkedAt - Date.now()) < 600_000, "checkedAt is epoch ms");
    assert.equal(st.checking, false);
  });

  it("a hook someone disabled is repaired by the periodic pass; DC's latest delivery result shows", async () => {
    const [delivered] = await s.dc.fake.deliver(s.dc.repo, "repo:refs_changed", dcEventFor(s.dc.fake, s.dc.repo, "repo-refs_changed.jenkins-fixture.json"));
    assert.equal(delivered!.status, 204, delivered!.body);
    hooks()[0]!.active = false;
    await enqueueWebhookRepair(s.h.services, s.installation.id);
    await s.h.drained();
    const st = await state();
    assert.equal(hooks()[0]!.active, true);
    assert.equal(st.webhook!.state, "repaired");
    assert.deepEqual({ outcome: st.webhook!.lastDelivery!.outcome, event: st.webhook!.lastDelivery!.event }, { outcome: "SUCCESS", event: "repo:refs_changed" });
    assert.equal(typeof st.webhook!.lastDelivery!.at, "number");
  });

  it("Repair now re-registers a hook someone deleted: 202 while checking, then the new hook's state", async () => {
    const oldId = hooks()[0]!.id;
    s.dc.fake.webhooks.hooks.clear();
    const res = await call(admin, "POST", "/webhook/repair", { body: {} });
    assert.equal(res.status, 202, res.text);
    documented(res.json());
    await s.h.drained();
    const st = await state();
    assert.equal(hooks().length, 1);
    assert.notEqual(hooks()[0]!.id, oldId);
    assert.deepEqual([st.webhook!.registered, st.webhook!.state, st.webhook!.webhookId, st.checking], [true, "registered", hooks()[0]!.id, false]);
  });

  it("a failed check says what is wrong in plain words (the service token lost REPO_ADMIN)", async () => {
    const grants = s.dc.fake.state.grants;
    s.dc.fake.state.grants = grants.map((g) => (g.userSlug === "relay-bot" ? { ...g, level: "PROJECT_READ" as const } : g));
    try {
      assert.equal((await call(admin, "POST", "/webhook/repair", { body: {} })).status, 202);
      await s.h.drained();
      const st = await state();
      assert.equal(st.webhook!.state, "failed");
      assert.match(st.webhook!.lastError!, /^The app's service token may not manage the webhooks of PROJ\/widgets: it needs REPO_ADMIN there\. Data Center said: You are not permitted/);
      assert.equal(st.webhook!.registered, true, "the hook DC still has is not forgotten");
    } finally {
      s.dc.fake.state.grants = grants;
    }
    await call(admin, "POST", "/webhook/repair", { body: {} });
    await s.h.drained();
    assert.equal((await state()).webhook!.state, "unchanged");
  });

  it("a reader sees the state without the actions; their writes are 403 and change nothing; a write without the CSRF token is 403", async () => {
    const st = await state(reader);
    assert.equal(st.canManage, false);
    assert.equal(st.webhook!.registered, true);
    const rec = (await store.get(s.installation.id, repoId()))!;
    const dcSecret = hooks()[0]!.configuration.secret;
    const jobs = await syncJobs();
    for (const action of ["/webhook/repair", "/webhook/rotate-secret"]) {
      const res = await call(reader, "POST", action, { body: {} });
      assert.equal(res.status, 403, res.text);
      assert.match(res.text, /only repository admins/);
      const forged = await call(admin, "POST", action, { body: {}, csrf: false });
      assert.equal(forged.status, 403, forged.text);
    }
    assert.equal(await syncJobs(), jobs, "no job queued");
    await s.h.drained();
    const after = (await store.get(s.installation.id, repoId()))!;
    assert.deepEqual(after.secrets, rec.secrets);
    assert.equal(after.checkedAt, rec.checkedAt);
    assert.equal(hooks()[0]!.configuration.secret, dcSecret);
  });

  it("Rotate secret: a new secret stored sealed and given to DC; the old one verifies deliveries for the grace period", async () => {
    const old = (await store.get(s.installation.id, repoId()))!.secrets.current!;
    const res = await call(admin, "POST", "/webhook/rotate-secret", { body: {} });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.json().rotating, true);
    await s.h.drained();
    const rec = (await store.get(s.installation.id, repoId()))!;
    assert.ok(rec.secrets.current && rec.secrets.current !== old);
    assert.equal(hooks()[0]!.configuration.secret, rec.secrets.current, "DC holds the new secret");
    assert.equal(rec.secrets.previous, old);
    const st = await state();
    assert.equal(st.rotating, false);
    assert.ok(st.webhook!.previousSecretUntil! > Date.now() && st.webhook!.previousSecretUntil! <= Date.now() + PREVIOUS_SECRET_GRACE_MS);
    // A delivery DC signed with the old secret before it took the new one still verifies.
    const bytes = Buffer.from(JSON.stringify(dcEventFor(s.dc.fake, s.dc.repo, "repo-refs_changed.jenkins-fixture.json")));
    const signed = (secret: string) =>
      s.h.fetch("POST", `/datacenter/${s.installation.hostScope}/webhook`, bytes, {
        "content-type": "application/json; charset=utf-8",
        "x-event-key": "repo:refs_changed",
        "x-request-id": `rotation-${secret.slice(0, 6)}`,
        "x-hub-signature": `sha256=${createHmac("sha256", secret).update(bytes).digest("hex")}`,
      });
    assert.equal((await signed(old)).status, 204);
    assert.equal((await signed(rec.secrets.current)).status, 204);
    assert.equal((await signed("not-the-secret")).status, 401);
    await s.h.drained();
  });

  it("no answer of this API ever held a secret the app or DC has for the webhook", async () => {
    const secrets = new Set<string>();
    const rec = (await store.get(s.installation.id, repoId()))!;
    for (const v of [rec.secrets.current, rec.secrets.previous, rec.secrets.next]) if (v) secrets.add(v);
    for (const h of s.dc.fake.webhooks.hooks.values()) if (typeof h.configuration.secret === "string") secrets.add(h.configuration.secret);
    for (const c of s.dc.fake.calls) {
      const sent = (c.body as { configuration?: { secret?: unknown } } | null)?.configuration?.secret;
      if (typeof sent === "string") secrets.add(sent);
    }
    assert.ok(secrets.size >= 3, "the secrets of the first registration, the re-registration and the rotation");
    assert.ok(answers.length > 10);
    for (const text of answers) for (const secret of secrets) assert.ok(!text.includes(secret), "an answer holds a webhook secret");
  });
});

describe("The Data Center webhook section's API on Cloud", () => {
  let h: Harness;
  before(async () => {
    h = await Harness.start({ integrations: [] });
    grantDefaults(h);
  });
  after(() => h.close());

  it("is 404 for a Cloud repository: the app keeps no webhook of its own there", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const get = await api.get(`${repoBase(h)}/settings/webhook`);
    assert.equal(get.status, 404);
    assert.match(get.text, /only Data Center repositories/);
    assert.equal((await api.post(`${repoBase(h)}/settings/webhook/repair`)).status, 404);
  });
});
