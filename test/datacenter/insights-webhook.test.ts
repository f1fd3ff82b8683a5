import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { integrationDefinitions } from "../../src/settings/registry";
import { enqueueWebhookRepair } from "../../src/datacenter/webhooks/jobs";
import type { DataCenterWebhookState } from "../../src/datacenter/webhooks/routes";
import { DataCenterWebhookStore } from "../../src/datacenter/webhooks/store";
import { dcEventFor } from "../helpers/datacenter-events";
import { bootstrapOf, hop, logInAs, dcLoginSetup, stopDcLogin, type CookieJar, type DcLoginSetup } from "../helpers/dc-login";

/**
 * Every integration's switch registers the app's webhook on Data Center, not only the settings cards'
 * (docs/datacenter.md §4): review insights keeps its switch in its own table, and answers the core's
 * "switched on?" (`services.switches`) itself. Switched on alone through the door's API, the webhook is
 * registered on the fake DC and DC's signed pull request events reach insights; "Repair now" and the
 * periodic repair pass keep it; switched off with nothing else on, it is removed.
 */
describe("Data Center door: review insights alone keeps the app's webhook", function () {
  this.timeout(60_000);
  let s: DcLoginSetup;
  let admin: { jar: CookieJar; csrf: string };
  let store: DataCenterWebhookStore;

  const repoId = () => mintDataCenterRepositoryId(s.dc.fake.baseUrl, s.dc.repo.id);
  const hooks = () => s.dc.fake.webhooks.of(s.dc.repo);
  const call = async (method: "GET" | "POST" | "PUT", p: string, body?: unknown) => {
    const res = await hop(`${s.h.url}/datacenter/api/repositories/${encodeURIComponent(repoId())}${p}`, {
      jar: admin.jar,
      appUrl: s.h.url,
      method,
      headers: { accept: "application/json", "x-csrf-token": admin.csrf, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, text: res.text, json: <T>() => JSON.parse(res.text) as T };
  };
  const insights = async (enabled: boolean) => {
    const res = await call("PUT", "/insights", { enabled });
    assert.equal(res.status, 200, res.text);
    await s.h.drained();
  };
  const webhookState = async () => {
    const res = await call("GET", "/settings/webhook");
    assert.equal(res.status, 200, res.text);
    return res.json<DataCenterWebhookState>();
  };
  const settingsCardsOn = async () => {
    const view = await s.h.services.settings.publicView(s.installation.id, repoId(), integrationDefinitions().map((d) => d.id));
    return Object.entries(view).filter(([, doc]) => doc.enabled === true).map(([id]) => id);
  };

  before(async () => {
    s = await dcLoginSetup();
    store = new DataCenterWebhookStore(s.h.services.db, s.h.services.box);
    const { jar } = await logInAs(s, s.alice);
    const page = await hop(`${s.h.url}/datacenter/repos/${encodeURIComponent(repoId())}/review-insights`, { jar, appUrl: s.h.url });
    admin = { jar, csrf: bootstrapOf(page.text).csrfToken! };
  });
  after(async () => stopDcLogin(s));

  it("every integration answers the core's question: the settings cards and review insights", () => {
    assert.deepEqual(s.h.services.switches.names().sort(), ["review-insights", "settings-cards"]);
  });

  it("insights switched on alone registers the webhook; a signed pr:opened from DC is recorded by insights", async () => {
    assert.equal(hooks().length, 0);
    await insights(true);
    assert.deepEqual(await settingsCardsOn(), [], "no settings card is on");
    assert.equal(hooks().length, 1, "the webhook on DC");
    assert.ok(hooks()[0]!.events.includes("pr:opened"));
    const st = await webhookState();
    assert.deepEqual([st.wanted, st.webhook?.registered, st.webhook?.state], [true, true, "registered"]);
    const [res] = await s.dc.fake.deliver(s.dc.repo, "pr:opened", dcEventFor(s.dc.fake, s.dc.repo, "pr-opened.jenkins-fixture.json"));
    assert.equal(res!.status, 204, res!.body);
    await s.h.drained();
    const rows = await s.h.services.db.sequelize.query<{ pr_id: number | string; source: string; state: string }>(
      "SELECT pr_id, source, state FROM review_insights_pull_requests WHERE installation_id = :i AND repository_uuid = :r",
      { replacements: { i: s.installation.id, r: repoId() }, type: QueryTypes.SELECT },
    );
    assert.deepEqual(rows.map((r) => [Number(r.pr_id), r.source, r.state]), [[61, "event", "OPEN"]], "the pull request DC announced");
  });

  it("Repair now works with insights alone: a webhook someone deleted is registered again", async () => {
    const oldId = hooks()[0]!.id;
    s.dc.fake.webhooks.hooks.clear();
    const res = await call("POST", "/settings/webhook/repair");
    assert.equal(res.status, 202, res.text);
    await s.h.drained();
    assert.equal(hooks().length, 1);
    assert.notEqual(hooks()[0]!.id, oldId);
    assert.equal((await webhookState()).webhook?.state, "registered");
  });

  it("the periodic repair pass keeps it (and repairs it) while only insights is on", async () => {
    hooks()[0]!.active = false;
    await enqueueWebhookRepair(s.h.services, s.installation.id);
    await s.h.drained();
    assert.deepEqual([hooks().length, hooks()[0]!.active], [1, true], "kept and enabled again, not removed");
    assert.equal((await store.get(s.installation.id, repoId()))!.lastOutcome, "repaired");
  });

  it("insights off with a settings card still on keeps the webhook; the last one off removes it", async () => {
    const radar = await call("PUT", "/settings/review-radar", { values: { enabled: true } });
    assert.equal(radar.status, 200, radar.text);
    await s.h.drained();
    await insights(false);
    assert.equal(hooks().length, 1, "review radar still needs it");
    assert.equal((await webhookState()).wanted, true);
    await call("PUT", "/settings/review-radar", { values: { enabled: false } });
    await s.h.drained();
    assert.equal(hooks().length, 0);
  });

  it("insights switched off when nothing else is on removes the webhook", async () => {
    await insights(true);
    assert.equal(hooks().length, 1, "registered again");
    await insights(false);
    assert.equal(hooks().length, 0, "removed from DC");
    const st = await webhookState();
    assert.deepEqual([st.wanted, st.webhook?.registered, st.webhook?.state], [false, false, "removed"]);
    // and the periodic pass does not bring it back
    await enqueueWebhookRepair(s.h.services, s.installation.id);
    await s.h.drained();
    assert.equal(hooks().length, 0);
  });
});
