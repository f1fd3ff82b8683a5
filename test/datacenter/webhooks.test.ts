import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { QueryTypes } from "sequelize";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { repositories } from "../../src/core/repositories";
import type { InstallationView } from "../../src/core/installations";
import { forgetAdvertisedEvents } from "../../src/datacenter/webhooks/events";
import { WEBHOOK_REPAIR_INTERVAL_MS, enqueueWebhookRepair, enqueueWebhookSync, startWebhookRepair } from "../../src/datacenter/webhooks/jobs";
import { WEBHOOK_NAME } from "../../src/datacenter/webhooks/repair";
import { DataCenterWebhookStore, acceptedSecrets, webhookStatusView } from "../../src/datacenter/webhooks/store";
import { Job } from "../../src/models";
import { SecretBox } from "../../src/crypto/secrets";
import { reencryptSecrets } from "../../src/crypto/rotation";
import type { RepoPushPayload } from "../../src/bitbucket/events";
import { FIXTURE_WEBHOOK_EVENTS } from "../fakes/datacenter/routes/webhooks";
import type { DcRepository } from "../fakes/datacenter";
import { dataCenterHarness, fakeDataCenter, type DataCenterSetup } from "../helpers/datacenter";
import { dcEventFor } from "../helpers/datacenter-events";
import { waitFor } from "../helpers/fixtures";
import type { Harness } from "../helpers/harness";

const ALL_EVENTS = [
  "repo:refs_changed",
  "pr:opened",
  "pr:from_ref_updated",
  "pr:modified",
  "pr:reviewer:approved",
  "pr:reviewer:unapproved",
  "pr:reviewer:needs_work",
  "pr:reviewer:updated",
  "pr:merged",
  "pr:declined",
  "pr:deleted",
];

describe("Data Center door: the app's repository webhooks", function () {
  this.timeout(60_000);
  let dc: DataCenterSetup;
  let h: Harness;
  let installation: InstallationView;
  let store: DataCenterWebhookStore;
  let repoId: string;
  const pushes: RepoPushPayload[] = [];

  const deliveries = async (where = "") => {
    const rows = await h.services.db.sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM deliveries WHERE installation_id = :id ${where}`, { replacements: { id: installation.id }, type: QueryTypes.SELECT });
    return Number(rows[0]!.n);
  };
  const hooksOf = (repo: DcRepository) => dc.fake.webhooks.of(repo);
  const switchOn = (repo: DcRepository, enabled = true) =>
    h.services.settings.update(installation.id, { uuid: mintDataCenterRepositoryId(dc.fake.baseUrl, repo.id), fullName: `${repo.projectKey}/${repo.slug}` }, "review-radar", { values: { enabled } }, "admin");
  const webhookPath = () => `/datacenter/${installation.hostScope}/webhook`;
  /** A request as DC sends it, with the signature computed by the test (or none, or a given header). */
  const post = (body: unknown, o: { eventKey?: string; secret?: string; signature?: string | null; requestId?: string; path?: string } = {}) => {
    const bytes = Buffer.from(JSON.stringify(body));
    const signature = o.signature === undefined ? `sha256=${createHmac("sha256", o.secret ?? "nope").update(bytes).digest("hex")}` : o.signature;
    return h.fetch("POST", o.path ?? webhookPath(), bytes, {
      "content-type": "application/json; charset=utf-8",
      "x-event-key": o.eventKey ?? "repo:refs_changed",
      "x-request-id": o.requestId ?? `req-${Math.random()}`,
      ...(signature ? { "x-hub-signature": signature } : {}),
    });
  };

  before(async () => {
    dc = await fakeDataCenter();
    ({ h, installation } = await dataCenterHarness(dc, {
      registerHandlers: (registry) =>
        registry.on("repo:push", { name: "test.dc-echo", integration: "core" }, async (ctx) => {
          pushes.push(ctx.payload);
          return { done: { hash: ctx.payload.push.changes[0]?.new?.target?.hash ?? null } };
        }),
    }));
    store = new DataCenterWebhookStore(h.services.db, h.services.box);
    repoId = mintDataCenterRepositoryId(dc.fake.baseUrl, dc.repo.id);
  });
  after(async () => {
    await h?.close();
    await dc?.fake.stop();
  });

  describe("registration and repair", () => {
    it("switching an integration on registers one webhook: the app's URL, DC's event keys, a random secret stored encrypted", async () => {
      await switchOn(dc.repo);
      await waitFor(() => hooksOf(dc.repo).length === 1, "the webhook on DC");
      await h.drained();
      const [hook] = hooksOf(dc.repo);
      assert.equal(hook!.name, WEBHOOK_NAME);
      assert.equal(hook!.url, `${h.url}${webhookPath()}`);
      assert.deepEqual([...hook!.events].sort(), [...ALL_EVENTS].sort());
      assert.ok(!hook!.events.includes("pr:reviewer:changes_requested"));
      assert.equal(hook!.active, true);
      assert.equal(hook!.sslVerificationRequired, false, "http in tests; https URLs keep TLS verification");
      const secret = hook!.configuration.secret as string;
      assert.ok(typeof secret === "string" && secret.length >= 40, "a random secret");
      const rec = (await store.get(installation.id, repoId))!;
      assert.deepEqual([rec.webhookId, rec.lastOutcome, rec.lastError, rec.projectKey, rec.repositorySlug], [hook!.id, "registered", null, "PROJ", "widgets"]);
      assert.equal(rec.secrets.current, secret);
      const [row] = await h.services.db.sequelize.query<{ secrets_enc: string }>("SELECT secrets_enc FROM datacenter_webhooks WHERE id = :id", { replacements: { id: rec.id }, type: QueryTypes.SELECT });
      assert.ok(row!.secrets_enc && !row!.secrets_enc.includes(secret), "sealed at rest");
      const job = await Job.findOne({ where: { installationId: installation.id, handler: "datacenter.webhook-sync", repositoryUuid: repoId } });
      assert.equal(job!.status, "done", "the sync is a job of the repository (its activity log)");
    });

    it("syncs of one repository queued together run one after the other: one webhook, whose secret the app holds", async () => {
      const repo = dc.fake.addRepository("PROJ", "racing");
      const id = mintDataCenterRepositoryId(dc.fake.baseUrl, repo.id);
      await repositories.remember(installation, { id, displayName: "PROJ/racing" });
      // Switching on (a sync) and two more syncs, queued at once, as a repair pass and two quick switches would.
      await Promise.all([switchOn(repo), enqueueWebhookSync(h.services, installation.id, id), enqueueWebhookSync(h.services, installation.id, id)]);
      await h.drained();
      const hooks = hooksOf(repo);
      assert.equal(hooks.length, 1, `one webhook, not ${hooks.length}`);
      assert.equal(hooks[0]!.configuration.secret, (await store.get(installation.id, id))!.secrets.current);
      // A sync that ran before the switch-on committed found nothing to do (ignored); none failed.
      const jobs = await Job.findAll({ where: { installationId: installation.id, handler: "datacenter.webhook-sync", repositoryUuid: id } });
      const summary = jobs.map((j) => `${j.status} ${j.lastError}`).join("; ");
      assert.ok(jobs.length >= 3 && jobs.every((j) => j.status === "done" || j.status === "ignored"), summary);
      assert.ok(jobs.some((j) => j.status === "done"), summary);
    });

    it("a webhook someone deleted is registered again by the repair pass", async () => {
      dc.fake.webhooks.hooks.clear();
      await enqueueWebhookRepair(h.services, installation.id);
      await waitFor(() => hooksOf(dc.repo).length === 1, "the webhook again");
      await h.drained();
      assert.equal((await store.get(installation.id, repoId))!.lastOutcome, "registered");
    });

    it("duplicates are deleted; a webhook that lost an event, was disabled or holds another secret is PUT back in full", async () => {
      const [hook] = hooksOf(dc.repo);
      const secret = (await store.get(installation.id, repoId))!.secrets.current!;
      dc.fake.webhooks.hooks.set(hook!.id + 1000, { ...structuredClone(hook!), id: hook!.id + 1000 });
      hook!.events = hook!.events.filter((e) => e !== "pr:opened");
      hook!.active = false;
      hook!.configuration = { secret: "changed-by-someone" };
      await enqueueWebhookSync(h.services, installation.id, repoId);
      await waitFor(() => hooksOf(dc.repo).length === 1 && hooksOf(dc.repo)[0]!.active, "the repaired webhook");
      await h.drained();
      const [kept] = hooksOf(dc.repo);
      assert.equal(kept!.id, hook!.id, "the first one is kept, the duplicate deleted");
      assert.ok(kept!.events.includes("pr:opened"));
      const rec = (await store.get(installation.id, repoId))!;
      assert.equal(rec.lastOutcome, "repaired");
      assert.equal(kept!.configuration.secret, rec.secrets.current, "DC holds the app's secret again");
      assert.notEqual(rec.secrets.current, secret, "a secret DC no longer agrees on is replaced by a new one");
      assert.ok(dc.fake.calls.some((c) => c.method === "PUT" && c.path === `/rest/api/latest/projects/PROJ/repos/widgets/webhooks/${hook!.id}`));
    });

    it("an unchanged webhook is left alone", async () => {
      const before = dc.fake.calls.length;
      await enqueueWebhookSync(h.services, installation.id, repoId);
      await h.drained();
      assert.equal((await store.get(installation.id, repoId))!.lastOutcome, "unchanged");
      assert.ok(!dc.fake.calls.slice(before).some((c) => c.method !== "GET"), "no write to DC");
    });

    it("secret rotation: the new secret verifies the moment DC has it; the previous one stays valid for a grace period", async () => {
      const old = (await store.get(installation.id, repoId))!.secrets.current!;
      await enqueueWebhookSync(h.services, installation.id, repoId, { rotate: true });
      await h.drained();
      const rec = (await store.get(installation.id, repoId))!;
      assert.notEqual(rec.secrets.current, old);
      assert.equal(hooksOf(dc.repo)[0]!.configuration.secret, rec.secrets.current);
      assert.deepEqual(acceptedSecrets(rec.secrets), [rec.secrets.current, old]);
      assert.deepEqual(acceptedSecrets(rec.secrets, rec.secrets.previousUntil! + 1), [rec.secrets.current]);
      const body = dcEventFor(dc.fake, dc.repo, "repo-refs_changed.jenkins-fixture.json");
      assert.equal((await post(body, { secret: old })).status, 204, "a delivery signed with the previous secret while DC switches");
    });

    it("an instance that does not advertise pr:from_ref_updated gets the webhook without it (DC refuses unknown keys)", async () => {
      const other = dc.fake.addRepository("PROJ", "gadgets");
      dc.fake.webhooks.events = [...FIXTURE_WEBHOOK_EVENTS];
      forgetAdvertisedEvents(h.services, installation.id);
      try {
        await switchOn(other);
        await waitFor(() => hooksOf(other).length === 1, "the webhook on PROJ/gadgets");
        await h.drained();
        assert.deepEqual([...hooksOf(other)[0]!.events].sort(), ALL_EVENTS.filter((e) => e !== "pr:from_ref_updated").sort());
      } finally {
        dc.fake.webhooks.events = [...FIXTURE_WEBHOOK_EVENTS, "pr:from_ref_updated"];
        forgetAdvertisedEvents(h.services, installation.id);
      }
      await switchOn(other, false);
      await waitFor(() => hooksOf(other).length === 0, "the webhook deleted");
      await h.drained();
      assert.equal((await store.get(installation.id, mintDataCenterRepositoryId(dc.fake.baseUrl, other.id)))!.lastOutcome, "removed", "switching the last integration off deletes it");
    });

    it("an ENCRYPTION_KEY rotation re-encrypts the stored webhook secrets (bound to their row)", async () => {
      const before = (await store.get(installation.id, repoId))!;
      const rotated = SecretBox.fromKeyMaterial("b".repeat(64), ["a".repeat(64)]);
      const pass = await reencryptSecrets({ db: h.services.db, box: rotated, log: h.services.log });
      assert.equal(pass.unreadable, 0);
      const underNewKey = new DataCenterWebhookStore(h.services.db, SecretBox.fromKeyMaterial("b".repeat(64)));
      assert.deepEqual((await underNewKey.get(installation.id, repoId))!.secrets, before.secrets);
      await reencryptSecrets({ db: h.services.db, box: SecretBox.fromKeyMaterial("a".repeat(64), ["b".repeat(64)]), log: h.services.log });
      assert.deepEqual((await store.get(installation.id, repoId))!.secrets, before.secrets, "back under the harness's key");
    });

    it("the fake refuses a create with DC's unknown key pr:reviewer:changes_requested, with DC's message, and creates nothing", async () => {
      const url = `${dc.fake.baseUrl}/rest/api/latest/projects/PROJ/repos/widgets/webhooks`;
      const res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${dc.serviceToken}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "x", url: "https://example.com/hook", events: ["repo:refs_changed", "pr:reviewer:changes_requested"], active: true }),
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { errors: Array<{ context: string; message: string }> };
      assert.deepEqual(body.errors.map((e) => [e.context, e.message]), [["events", "the event ${validatedValue} is unknown"]]); // eslint-disable-line no-template-curly-in-string
      assert.equal(hooksOf(dc.repo).length, 1);
    });

    it("a failure is stored for the settings page and in the repository's activity; 5xx are retried with the retry policy, 4xx end it", async () => {
      dc.fake.fault({ method: "GET", path: /\/repos\/widgets\/webhooks$/, status: 503, times: 1 });
      dc.fake.fault({ method: "GET", path: /\/repos\/widgets\/webhooks$/, status: 400, times: 1 });
      const from = dc.fake.calls.length;
      await enqueueWebhookSync(h.services, installation.id, repoId);
      await h.drained();
      const statuses = dc.fake.calls.slice(from).filter((c) => c.path.endsWith("/repos/widgets/webhooks")).map((c) => c.status);
      assert.deepEqual(statuses, [503, 400], "the 503 was tried again");
      const rec = (await store.get(installation.id, repoId))!;
      assert.equal(rec.lastOutcome, "failed");
      assert.equal(rec.lastError, "Data Center refused the app's request (HTTP 400). Data Center said: injected fault 400", "in plain words, with DC's message");
      assert.ok(rec.secrets.current, "the registered webhook's secret is kept");
      const job = await Job.findOne({ where: { handler: "datacenter.webhook-sync", repositoryUuid: repoId }, order: [["createdAt", "DESC"]] });
      assert.equal(job!.status, "dead", "a 4xx ends the job");
      assert.match(job!.lastError ?? "", /400/);
    });

    it("a service token DC refuses (revoked: 401) ends the sync at once, in plain words; after the fix the next sync succeeds", async () => {
      const revoked = dc.fake.revokeToken(dc.serviceToken);
      try {
        const from = dc.fake.calls.length;
        await enqueueWebhookSync(h.services, installation.id, repoId);
        await h.drained();
        const statuses = dc.fake.calls.slice(from).filter((c) => c.path.endsWith("/repos/widgets/webhooks")).map((c) => c.status);
        assert.deepEqual(statuses, [401], "asked once, not retried with the same refused token");
        const job = await Job.findOne({ where: { handler: "datacenter.webhook-sync", repositoryUuid: repoId }, order: [["createdAt", "DESC"]] });
        assert.deepEqual([job!.status, job!.attempts], ["dead", 1]);
        assert.match(job!.lastError ?? "", /refused the app's service token/);
        const rec = (await store.get(installation.id, repoId))!;
        assert.equal(rec.lastOutcome, "failed");
        assert.match(rec.lastError ?? "", /^Data Center refused the app's service token \(expired or revoked\?\)\. Data Center said: .*Authentication failed/);
        assert.ok(rec.webhookId && rec.secrets.current, "the webhook and its secret are kept");
        assert.ok(!(rec.lastError ?? "").includes(dc.serviceToken) && !(job!.lastError ?? "").includes(dc.serviceToken), "the token is not in the message");
      } finally {
        dc.fake.reinstate(revoked);
      }
      await enqueueWebhookRepair(h.services, installation.id);
      await h.drained();
      assert.equal((await store.get(installation.id, repoId))!.lastError, null, "the repair pass syncs it again");
    });
  });

  describe("receiving", () => {
    before(async () => {
      await enqueueWebhookSync(h.services, installation.id, repoId);
      await h.drained();
      assert.equal((await store.get(installation.id, repoId))!.lastOutcome, "unchanged");
    });

    it("a signed push is stored before the 2xx, mapped to repo:push and reaches a handler; the repository is remembered as PROJ/slug", async () => {
      const before = await deliveries();
      pushes.length = 0;
      const body = dcEventFor(dc.fake, dc.repo, "repo-refs_changed.jenkins-fixture.json");
      const [res] = await dc.fake.deliver(dc.repo, "repo:refs_changed", body);
      assert.equal(res!.status, 204, res!.body);
      const stored = await h.services.db.sequelize.query<{ source: string; event_key: string; repository_uuid: string; repository_full_name: string; idempotency_key: string }>(
        "SELECT source, event_key, repository_uuid, repository_full_name, idempotency_key FROM deliveries WHERE installation_id = :id AND idempotency_key = :key",
        { replacements: { id: installation.id, key: res!.requestId }, type: QueryTypes.SELECT },
      );
      assert.deepEqual(stored[0], { source: "datacenter", event_key: "repo:refs_changed", repository_uuid: repoId, repository_full_name: "PROJ/widgets", idempotency_key: res!.requestId });
      await waitFor(() => pushes.length === 1, "the mapped push at the handler");
      await h.drained();
      const push = pushes[0]!;
      assert.equal(push.repository.uuid, repoId);
      assert.equal(push.repository.full_name, "PROJ/widgets");
      assert.equal(push.push.changes[0]!.new!.target!.hash, "2857aa1131679a1c46d79a1097ebab06a6d6291a3");
      assert.equal(await deliveries(), before + 2, "the DC event and the repo:push it maps to");
      assert.equal((await repositories.get(installation.id, repoId))!.displayName, "PROJ/widgets");
      assert.equal(dc.fake.webhooks.invocations.at(-1)!.outcome, "SUCCESS");
    });

    it("the next check records DC's latest delivery result; the settings page's view carries no secret", async () => {
      await enqueueWebhookSync(h.services, installation.id, repoId);
      await h.drained();
      const rec = (await store.get(installation.id, repoId))!;
      const view = webhookStatusView(rec)!;
      assert.deepEqual([view.registered, view.state, view.lastError, view.lastDelivery?.outcome, view.lastDelivery?.event], [true, "unchanged", null, "SUCCESS", "repo:refs_changed"]);
      assert.ok(!JSON.stringify(view).includes(rec.secrets.current!));
    });

    it("the same X-Request-Id twice is one delivery", async () => {
      const before = await deliveries("AND source = 'datacenter' AND event_key = 'pr:opened'");
      const body = dcEventFor(dc.fake, dc.repo, "pr-opened.jenkins-fixture.json");
      const [first] = await dc.fake.deliver(dc.repo, "pr:opened", body, { requestId: "dc-request-1" });
      const [again] = await dc.fake.deliver(dc.repo, "pr:opened", body, { requestId: "dc-request-1" });
      assert.deepEqual([first!.status, again!.status], [204, 200]);
      assert.equal(await deliveries("AND source = 'datacenter' AND event_key = 'pr:opened'"), before + 1);
      await h.drained();
      assert.equal(await deliveries("AND event_key = 'pullrequest:created'"), 1, "translated once");
    });

    it("DC's unsigned diagnostics:ping is answered 200 and nothing is stored", async () => {
      const before = await deliveries();
      const [res] = await dc.fake.ping(dc.repo);
      assert.equal(res!.status, 200);
      assert.equal(await deliveries(), before);
    });

    it("forged, unsigned, unknown-repository and unknown-instance deliveries are 401 with a reason, nothing stored", async () => {
      const before = await deliveries();
      const body = dcEventFor(dc.fake, dc.repo, "repo-refs_changed.jenkins-fixture.json");
      const forged = await post(body, { secret: "not-the-secret" });
      assert.deepEqual([forged.status, forged.json<{ error: string }>().error], [401, "invalid signature"]);
      const unsigned = await post(body, { signature: null });
      assert.deepEqual([unsigned.status, unsigned.json<{ error: string }>().error], [401, "missing signature"]);
      // Unsigned is refused as unsigned whatever else is wrong with the request: no event key, not JSON.
      const noKey = await h.fetch("POST", webhookPath(), JSON.stringify(body), { "content-type": "application/json" });
      assert.deepEqual([noKey.status, noKey.json<{ error: string }>().error], [401, "missing signature"]);
      const text = await h.fetch("POST", webhookPath(), "repo:refs_changed", { "content-type": "text/plain", "x-event-key": "repo:refs_changed" });
      assert.deepEqual([text.status, text.json<{ error: string }>().error], [401, "missing signature"]);
      const sha1 = await post(body, { signature: "sha1=0123456789abcdef0123456789abcdef01234567" });
      assert.deepEqual([sha1.status, sha1.json<{ error: string }>().error], [401, "malformed signature"]);
      // Signed correctly, but the body's bytes changed on the way.
      const secret = hooksOf(dc.repo)[0]!.configuration.secret as string;
      const signed = `sha256=${createHmac("sha256", secret).update(JSON.stringify(body)).digest("hex")}`;
      const tampered = await post({ ...body, date: "2030-01-01T00:00:00+0000" }, { signature: signed });
      assert.equal(tampered.status, 401);
      const stranger = dc.fake.addRepository("PROJ", "stranger");
      const unknown = await post(dcEventFor(dc.fake, stranger, "repo-refs_changed.jenkins-fixture.json"), { secret });
      assert.deepEqual([unknown.status, unknown.json<{ error: string }>().error], [401, "unknown repository: the app has no webhook there"]);
      const otherInstance = await post(body, { secret, path: "/datacenter/0123456789abcdef/webhook" });
      assert.deepEqual([otherInstance.status, otherInstance.json<{ error: string }>().error], [401, "unknown Data Center instance"]);
      assert.equal(await deliveries(), before);
    });

    it("malformed bodies are 4xx: not JSON, no repository, a signed body that is not the event it claims", async () => {
      const before = await deliveries();
      const notJson = await h.fetch("POST", webhookPath(), "{nope", { "content-type": "application/json", "x-event-key": "repo:refs_changed", "x-hub-signature": "sha256=00" });
      assert.equal(notJson.status, 400);
      const noKey = await h.fetch("POST", webhookPath(), "{}", { "content-type": "application/json", "x-hub-signature": "sha256=00" });
      assert.deepEqual([noKey.status, noKey.json<{ error: string }>().error], [400, "missing X-Event-Key"]);
      const text = await h.fetch("POST", webhookPath(), "hello", { "content-type": "text/plain", "x-event-key": "repo:refs_changed", "x-hub-signature": "sha256=00" });
      assert.deepEqual([text.status, text.json<{ error: string }>().error], [415, "expected an application/json body"]);
      const noRepo = await post({ eventKey: "repo:refs_changed" }, { secret: "x" });
      assert.deepEqual([noRepo.status, noRepo.json<{ error: string }>().error], [400, "the body names no repository"]);
      const body = dcEventFor(dc.fake, dc.repo, "repo-refs_changed.jenkins-fixture.json");
      delete body.changes;
      const [res] = await dc.fake.deliver(dc.repo, "repo:refs_changed", body);
      assert.equal(res!.status, 400);
      assert.match(JSON.parse(res!.body).error, /^invalid repo:refs_changed payload: changes/);
      assert.equal(await deliveries(), before);
    });
  });

  describe("a renamed repository", () => {
    it("is followed: its deliveries tell the new PROJ/slug, and the next check finds its webhook under it", async () => {
      dc.fake.state.repositories.get(dc.repo.id)!.slug = "widgets-renamed";
      try {
        const [res] = await dc.fake.deliver(dc.repo, "repo:refs_changed", dcEventFor(dc.fake, dc.repo, "repo-refs_changed.jenkins-fixture.json"));
        assert.equal(res!.status, 204);
        await h.drained();
        assert.equal((await repositories.get(installation.id, repoId))!.displayName, "PROJ/widgets-renamed");
        await enqueueWebhookSync(h.services, installation.id, repoId);
        await h.drained();
        const rec = (await store.get(installation.id, repoId))!;
        assert.deepEqual([rec.lastOutcome, rec.repositorySlug], ["unchanged", "widgets-renamed"]);
      } finally {
        dc.fake.state.repositories.get(dc.repo.id)!.slug = "widgets";
        await repositories.remember(installation, { id: repoId, displayName: "PROJ/widgets" });
      }
    });
  });

  describe("the periodic repair and the instance-wide defaults", () => {
    it("the periodic pass is enqueued once per interval however many app instances ask, and repairs a webhook someone disabled", async () => {
      const repair = startWebhookRepair(h.services, 3_600_000, 3_600_000);
      try {
        hooksOf(dc.repo)[0]!.active = false;
        const now = Date.now();
        const first = await enqueueWebhookRepair(h.services, installation.id, { periodic: true, now: now + WEBHOOK_REPAIR_INTERVAL_MS });
        const again = await enqueueWebhookRepair(h.services, installation.id, { periodic: true, now: now + WEBHOOK_REPAIR_INTERVAL_MS });
        assert.deepEqual([first, again], [true, false]);
        assert.equal(await repair.tick(), 1, "one pass for the one configured instance (this slot)");
        assert.equal(await repair.tick(), 0, "not twice in a slot");
        await waitFor(() => hooksOf(dc.repo)[0]!.active, "the webhook enabled again");
        await h.drained();
      } finally {
        await repair.stop();
      }
    });

    it("switching an integration on in the instance-wide defaults registers webhooks on the repositories the app knows", async () => {
      const tools = dc.fake.addRepository("PROJ", "tools");
      const toolsId = mintDataCenterRepositoryId(dc.fake.baseUrl, tools.id);
      await repositories.remember(installation, { id: toolsId, displayName: "PROJ/tools" });
      await h.services.settings.updateDefaults(installation.id, "review-radar", { values: { enabled: true } }, "admin");
      await waitFor(() => hooksOf(tools).length === 1, "the webhook on PROJ/tools");
      await h.drained();
      assert.equal((await store.get(installation.id, toolsId))!.lastOutcome, "registered");
      assert.equal(hooksOf(dc.repo).length, 1, "still one on PROJ/widgets");
    });
  });
});
