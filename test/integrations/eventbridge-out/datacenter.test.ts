import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { enqueueWebhookSync } from "../../../src/datacenter/webhooks/jobs";
import { dataCenterInstanceId, mintDataCenterRepositoryId } from "../../../src/bitbucket/repository-id";
import { dataCenterClientKey } from "../../../src/datacenter/installations";
import { externalIdFor } from "../../../src/aws/external-id";
import { eventBridgeOutIntegration } from "../../../src/integrations/eventbridge-out";
import { eventSource } from "../../../src/integrations/eventbridge-out/source";
import { sendTestEvent } from "../../../src/integrations/eventbridge-out/test-event";
import type { InstallationView } from "../../../src/core/installations";
import { Harness } from "../../helpers/harness";
import { dcEventFor } from "../../helpers/datacenter-events";
import { fakeDataCenter, type DataCenterSetup } from "../../helpers/datacenter";
import { FakeEventBridge } from "../../fakes/aws/eventbridge";
import { FakeSts } from "../../fakes/aws/sts";
import { ROLE } from "./support";

describe("EventBridge out on Data Center", function () {
  this.timeout(60_000);
  let dc: DataCenterSetup;
  let eb: FakeEventBridge;
  let sts: FakeSts;
  let h: Harness;
  let installation: InstallationView;
  let repoId: string;
  const saved = { ...process.env };

  before(async () => {
    dc = await fakeDataCenter();
    eb = await FakeEventBridge.start();
    sts = await new FakeSts().start();
    Object.assign(process.env, { AWS_ENDPOINT_URL_STS: sts.url, AWS_ENDPOINT_URL_EVENTBRIDGE: eb.url, AWS_ACCESS_KEY_ID: "AKIAAPPTEST", AWS_SECRET_ACCESS_KEY: "app-secret" });
    h = await Harness.start({ integrations: [eventBridgeOutIntegration], env: dc.env });
    installation = (await h.services.installations.findByClientKey("datacenter", dataCenterClientKey(dataCenterInstanceId(dc.fake.baseUrl))))!;
    sts.allowRole(ROLE, await externalIdFor(h.services.installations, installation.id));
    repoId = mintDataCenterRepositoryId(dc.fake.baseUrl, dc.repo.id);
    await h.services.settings.update(
      installation.id,
      { uuid: repoId, fullName: "PROJ/widgets" },
      "eventbridge-out",
      { values: { enabled: true, eventBus: "customer-bus", region: "eu-west-1", roleArn: ROLE } },
      "test",
    );
  });

  after(async () => {
    await h?.close();
    await eb?.close();
    await sts?.close();
    await dc?.fake.stop();
    process.env = saved;
  });

  it("Source: the app key for a Cloud workspace's installation (unchanged), `<app key>.datacenter` for a DC instance", () => {
    assert.equal(eventSource("bitbucket-relay", { workspaceUuid: "{1111}", host: "connect" }), "bitbucket-relay");
    assert.equal(eventSource("bitbucket-relay", { workspaceUuid: "{1111}", host: "forge" }), "bitbucket-relay");
    assert.equal(eventSource("bitbucket-relay", installation), "bitbucket-relay.datacenter");
  });

  it("a DC event goes out once, as DC sent it: DetailType = DC's event key, Detail = DC's body, the DC source; never as the core events it maps to", async () => {
    await enqueueWebhookSync(h.services, installation.id, repoId);
    await h.drained();
    // Two ref changes in one DC event (the Jenkins fixture's UPDATE of master, and the ADD of a branch
    // in DC's change shape): the door maps them to two repo:push.
    const push = dcEventFor(dc.fake, dc.repo, "repo-refs_changed.jenkins-fixture.json");
    const added = { ref: { id: "refs/heads/feature/x", displayId: "feature/x", type: "BRANCH" }, refId: "refs/heads/feature/x", fromHash: "0".repeat(40), toHash: "a".repeat(40), type: "ADD" };
    push.changes = [...(push.changes as unknown[]), added];
    const [pushed] = await dc.fake.deliver(dc.repo, "repo:refs_changed", push, { requestId: "dc-eb-push-1" });
    assert.equal(pushed!.status, 204, pushed!.body);
    const review = dcEventFor(dc.fake, dc.repo, "pr-reviewer-needs_work.go-playground.json");
    const [reviewed] = await dc.fake.deliver(dc.repo, "pr:reviewer:needs_work", review, { requestId: "dc-eb-review-1" });
    assert.equal(reviewed!.status, 204, reviewed!.body);
    await h.drained();
    const onBus = eb.events.filter((e) => e.source === "bitbucket-relay.datacenter");
    assert.deepEqual(onBus.map((e) => e.detailType).sort(), ["pr:reviewer:needs_work", "repo:refs_changed"]);
    assert.ok(onBus.every((e) => e.bus === "customer-bus"));
    assert.deepEqual(onBus.find((e) => e.detailType === "repo:refs_changed")!.detail, push);
    assert.deepEqual(onBus.find((e) => e.detailType === "pr:reviewer:needs_work")!.detail, review);
    const translated = await h.services.db.sequelize.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM deliveries WHERE installation_id = :id AND source = 'datacenter' AND event_key IN ('repo:push', 'pullrequest:changes_request_created')",
      { replacements: { id: installation.id }, type: QueryTypes.SELECT },
    );
    assert.ok(Number(translated[0]!.n) >= 2, "the door did translate them (for the other integrations)");
    assert.equal(eb.events.filter((e) => e.detailType === "repo:push" || e.detailType.startsWith("pullrequest:")).length, 0, "no translated event on the bus");
  });

  it("the repository's event-type switches apply to DC's events (pushes off: refs_changed stays home)", async () => {
    await h.services.settings.update(installation.id, { uuid: repoId, fullName: "PROJ/widgets" }, "eventbridge-out", { values: { eventTypes: ["pull_request"] } }, "test");
    const before = eb.events.length;
    const [pushed] = await dc.fake.deliver(dc.repo, "repo:refs_changed", dcEventFor(dc.fake, dc.repo, "repo-refs_changed.jenkins-fixture.json"), { requestId: "dc-eb-push-2" });
    assert.equal(pushed!.status, 204, pushed!.body);
    const [opened] = await dc.fake.deliver(dc.repo, "pr:opened", dcEventFor(dc.fake, dc.repo, "pr-opened.jenkins-fixture.json"), { requestId: "dc-eb-open-1" });
    assert.equal(opened!.status, 204, opened!.body);
    await h.drained();
    assert.deepEqual(eb.events.slice(before).map((e) => e.detailType), ["pr:opened"]);
    await h.services.settings.update(installation.id, { uuid: repoId, fullName: "PROJ/widgets" }, "eventbridge-out", { values: { eventTypes: ["push", "pull_request", "commit_status"] } }, "test");
  });

  it("the test event names the DC instance (there is no workspace) and carries the DC source", async () => {
    const settings = await h.services.settings.get(installation.id, repoId, "eventbridge-out");
    const res = await sendTestEvent({
      services: h.services,
      installation,
      repository: { uuid: repoId, fullName: "PROJ/widgets" },
      settings,
      actor: "jdoe",
    });
    assert.equal(res.ok, true, res.message);
    const event = eb.events.find((e) => e.detailType === "relay:test")!;
    assert.equal(event.source, "bitbucket-relay.datacenter");
    const detail = event.detail as { workspace?: unknown; instance?: { id: string; url: string } };
    assert.equal(detail.workspace, undefined);
    assert.deepEqual(detail.instance, { id: dataCenterInstanceId(dc.fake.baseUrl), url: dc.fake.baseUrl });
  });
});
