import assert from "node:assert/strict";
import { ingest } from "../../../src/pipeline/ingest";
import { dataCenterInstanceId, mintDataCenterRepositoryId } from "../../../src/bitbucket/repository-id";
import { dataCenterClientKey } from "../../../src/datacenter/installations";
import { externalIdFor } from "../../../src/aws/external-id";
import { eventBridgeOutIntegration } from "../../../src/integrations/eventbridge-out";
import { eventSource } from "../../../src/integrations/eventbridge-out/source";
import { sendTestEvent } from "../../../src/integrations/eventbridge-out/test-event";
import type { InstallationView } from "../../../src/core/installations";
import { Harness } from "../../helpers/harness";
import { waitFor } from "../../helpers/fixtures";
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

  it("a DC pull request event (pr:reviewer:needs_work as the door maps it) goes out as the core's event, with the DC source", async () => {
    const payload = {
      repository: { uuid: repoId, full_name: "PROJ/widgets", name: "widgets" },
      actor: { uuid: "12", account_id: "reviewer", display_name: "Reviewer Placeholder", nickname: "reviewer" },
      pullrequest: { id: 7, title: "Widgets", state: "OPEN", participants: [{ user: { uuid: "12", account_id: "reviewer" }, role: "REVIEWER", approved: false, state: "changes_requested" }] },
    };
    await ingest(h.services, {
      installationId: installation.id,
      source: "datacenter",
      eventKey: "pullrequest:changes_request_created",
      idempotencyKey: "dc-request-1",
      repository: { uuid: repoId, fullName: "PROJ/widgets" },
      payload,
    });
    const event = await waitFor(() => eb.events.find((e) => e.detailType === "pullrequest:changes_request_created"), "the event on the bus");
    assert.equal(event.source, "bitbucket-relay.datacenter");
    assert.equal(event.bus, "customer-bus");
    assert.deepEqual(event.detail, payload);
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
    const event = eb.events.find((e) => e.detailType !== "pullrequest:changes_request_created")!;
    assert.equal(event.source, "bitbucket-relay.datacenter");
    const detail = event.detail as { workspace?: unknown; instance?: { id: string; url: string } };
    assert.equal(detail.workspace, undefined);
    assert.deepEqual(detail.instance, { id: dataCenterInstanceId(dc.fake.baseUrl), url: dc.fake.baseUrl });
  });
});
