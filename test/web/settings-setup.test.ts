import assert from "node:assert/strict";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { pushPayload } from "../helpers/echo-handler";
import { Job } from "../../src/models";
import { buildkite } from "../../src/integrations/buildkite";
import { ensureWebhookToken } from "../../src/integrations/buildkite/credentials";
import type { SetupView } from "../../src/web/api/settings-setup";
import type { SettingsCard } from "../../src/web/api/settings-view";
import { postWebhook, webhookBody } from "../integrations/buildkite/support";
import { ADMIN, TEST_ID, WRITER, apiAs, grantDefaults, registerTestHandler, repoBase, sessionFor } from "./support";

/**
 * The setup checklist API (issue 18 item 2): computed on the server from the saved settings, the
 * integration's newest delivery in the repository's activity log and its outcome, and its inbound door.
 */
describe("Settings setup checklist API", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ integrations: [buildkite], registerHandlers: (r) => registerTestHandler(r) });
    grantDefaults(h);
  });
  afterEach(() => h.close());

  const push = async (sha: string) => {
    const base = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName });
    await h.webhook("repo:push", pushPayload(base, sha));
  };
  const step = (v: SetupView, id: string) => v.steps.find((s) => s.id === id)!;

  it("ticks each step as the app sees it done: saved on, then a delivery handled; the card carries the same checklist", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    const setupPath = `${repoBase(h)}/settings/${TEST_ID}/setup`;
    let v = (await api.get(setupPath)).json<SetupView>();
    assert.equal(v.complete, false);
    assert.equal(step(v, "enabled").done, false);
    assert.equal(step(v, "event").done, false);
    assert.equal(v.lastDelivery, null);

    const put = await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { enabled: true } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json<SettingsCard>().setup?.steps.find((s) => s.id === "enabled")?.done, true, "the save answer carries the new state");

    const sentAt = Date.now();
    await push("a".repeat(40));
    await h.drained();
    v = (await api.get(setupPath)).json<SetupView>();
    assert.equal(v.complete, true, JSON.stringify(v));
    assert.equal(v.lastDelivery?.outcome, "ok");
    assert.equal(v.lastDelivery?.eventKey, "repo:push");
    assert.ok(v.lastDelivery!.at >= sentAt && v.lastDelivery!.at <= Date.now(), "when it arrived (ms since epoch)");

    // The entry it names is the one the activity log filtered to the integration shows first.
    const log = (await api.get(`${repoBase(h)}/activity?integration=${TEST_ID}&page=1&pageLen=5`)).json<{ items: Array<{ id: string }> }>();
    assert.equal(log.items[0]?.id, v.lastDelivery?.id);

    const page = (await api.get(`${repoBase(h)}/settings`)).json<{ integrations: SettingsCard[] }>();
    assert.deepEqual(page.integrations.find((c) => c.id === TEST_ID)?.setup, v);
  });

  it("keeps the event step open while the newest delivery failed, naming the reason", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    await api.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { enabled: true } });
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 403, times: 1 });
    await push("b".repeat(40));
    await waitFor(() => Job.findOne({ where: { status: "dead" } }), "dead job");
    const v = (await api.get(`${repoBase(h)}/settings/${TEST_ID}/setup`)).json<SetupView>();
    assert.equal(v.lastDelivery?.outcome, "failed");
    assert.match(v.lastDelivery?.reason ?? "", /403/);
    assert.equal(step(v, "event").done, false);
    assert.match(step(v, "event").detail ?? "", /failed: .*403/);
    assert.equal(v.complete, false);
  });

  it("Buildkite: the paste step is done once Buildkite reached the app's door, the event step once a build of this repository was reported", async () => {
    const api = apiAs(h, await sessionFor(h, ADMIN));
    await api.put(`${repoBase(h)}/settings/buildkite`, { values: { enabled: true } });
    const setupPath = `${repoBase(h)}/settings/buildkite/setup`;
    let v = (await api.get(setupPath)).json<SetupView>();
    assert.deepEqual(
      v.steps.map((s) => [s.id, s.done]),
      [
        ["enabled", true],
        ["paste", false],
        ["event", false],
      ],
    );
    const bed = { h, webhookToken: await ensureWebhookToken(h.services, h.tenant.installation.id), apiKey: "", logs: undefined as never };
    // A build of a pipeline that clones another repository: Buildkite reached the app, nothing for this repository.
    assert.equal((await postWebhook(bed, webhookBody("webhook-build-finished.json", { repository: "git@bitbucket.org:acme/other.git" }))).status, 202);
    await h.drained();
    v = (await api.get(setupPath)).json<SetupView>();
    assert.equal(step(v, "paste").done, true);
    assert.equal(step(v, "event").done, false);

    assert.equal((await postWebhook(bed, webhookBody("webhook-build-finished.json"))).status, 202);
    await h.drained();
    v = (await api.get(setupPath)).json<SetupView>();
    assert.equal(v.complete, true, JSON.stringify(v));
    assert.equal(v.lastDelivery?.source, "buildkite");
    assert.equal(v.lastDelivery?.outcome, "ok");
  });

  it("is for admins only, and answers 404 for an unknown integration", async () => {
    const writer = apiAs(h, await sessionFor(h, WRITER));
    assert.equal((await writer.get(`${repoBase(h)}/settings/${TEST_ID}/setup`)).status, 403);
    const page = (await writer.get(`${repoBase(h)}/settings`)).json<{ integrations: SettingsCard[] }>();
    assert.ok(page.integrations.every((c) => c.setup === null && Object.keys(c.fields).length === 0), "read-only cards carry no checklist");
    const admin = apiAs(h, await sessionFor(h, ADMIN));
    assert.equal((await admin.get(`${repoBase(h)}/settings/nope/setup`)).status, 404);
    assert.equal((await admin.get(`${repoBase(h)}/settings/NOT%20AN%20ID/setup`)).status, 404);
  });
});
