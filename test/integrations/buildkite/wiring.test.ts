import assert from "node:assert/strict";
import { FakeEventBridge } from "../../fakes/aws/eventbridge";
import { FakeSts } from "../../fakes/aws/sts";
import { integrationDefinition, type IntegrationPageContext } from "../../../src/settings/registry";
import { externalIdFor } from "../../../src/aws/external-id";
import { resourceName, TARGET_ID } from "../../../src/integrations/buildkite/eventbridge-wiring";
import type { BuildkiteSettings } from "../../../src/integrations/buildkite/settings";
import { startBed, ebEvent, settle, statusesOf, type BuildkiteBed } from "./support";

const ROLE = "arn:aws:iam::123456789012:role/relay-buildkite-wiring";
const INVOKE_ROLE = "arn:aws:iam::123456789012:role/eventbridge-invoke-api-destination";
const DLQ = "arn:aws:sqs:eu-west-1:123456789012:buildkite-dlq";
const BUS = "aws.partner/buildkite.com/acme/0106-187c-12cd4fe";

describe("Buildkite: wiring EventBridge in the customer's account (real SDK, fake STS + EventBridge)", () => {
  let bed: BuildkiteBed;
  let eb: FakeEventBridge;
  let sts: FakeSts;
  const saved = { ...process.env };
  let name: string;

  before(async () => {
    eb = await FakeEventBridge.start();
    sts = await new FakeSts().start();
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eb.url;
    process.env.AWS_ENDPOINT_URL_STS = sts.url;
    process.env.AWS_ACCESS_KEY_ID = "AKIAAPPBASE";
    process.env.AWS_SECRET_ACCESS_KEY = "app-base-secret";
    bed = await startBed({ enabled: true });
    name = resourceName(bed.h.tenant.installation.id);
    sts.allowRole(ROLE, await externalIdFor(bed.h.services.installations, bed.h.tenant.installation.id));
  });
  after(async () => {
    process.env = saved;
    await bed.h.close();
    await eb.close();
    await sts.close();
  });

  const definition = () => integrationDefinition("buildkite")!;
  async function pageContext(): Promise<IntegrationPageContext<BuildkiteSettings>> {
    const { h } = bed;
    return {
      services: h.services,
      installation: h.tenant.installation,
      repository: { uuid: h.repo.uuid, fullName: h.repo.fullName },
      settings: await h.services.settings.get(h.tenant.installation.id, h.repo.uuid, "buildkite"),
      actor: "{admin}",
    };
  }
  async function run(action: string) {
    const ctx = (await pageContext()) as unknown as IntegrationPageContext<{ enabled: boolean }>;
    return definition().actions![action]!.run(ctx);
  }
  const setAws = (values: Partial<BuildkiteSettings>) =>
    bed.h.services.settings.update(bed.h.tenant.installation.id, { uuid: bed.h.repo.uuid }, "buildkite", { values }, "test");

  it("shows the values to copy: endpoints, API key and webhook token (sensitive), ExternalId, IAM policy", async () => {
    const ctx = (await pageContext()) as unknown as IntegrationPageContext<{ enabled: boolean }>;
    const values = await definition().copyValues!(ctx);
    const byLabel = new Map(values.map((v) => [v.label, v]));
    const id = bed.h.tenant.installation.id;
    assert.equal(byLabel.get("EventBridge API destination endpoint")!.value, `${bed.h.url}/inbound/buildkite/eventbridge/${id}`);
    assert.equal(byLabel.get("Buildkite webhook URL")!.value, `${bed.h.url}/inbound/buildkite/webhook/${id}`);
    assert.equal(byLabel.get("API key")!.value, bed.apiKey);
    assert.equal(byLabel.get("API key")!.sensitive, true);
    assert.equal(byLabel.get("Buildkite webhook token")!.value, bed.webhookToken);
    assert.equal(byLabel.get("Buildkite webhook token")!.sensitive, true);
    assert.equal(byLabel.get("AWS ExternalId")!.value, await externalIdFor(bed.h.services.installations, id));
    assert.equal(byLabel.get("IAM policy for the role")!.multiline, true);
    assert.match(byLabel.get("IAM policy for the role")!.value, /events:PutTargets/);
    const trust = JSON.parse(byLabel.get("Trust policy for the invoke role (EventBridge, for this rule only)")!.value) as {
      Statement: Array<{ Principal: { Service: string }; Condition: { StringEquals: Record<string, string>; ArnEquals: Record<string, string> } }>;
    };
    assert.equal(trust.Statement[0]!.Principal.Service, "events.amazonaws.com");
    assert.ok(trust.Statement[0]!.Condition.StringEquals["aws:SourceAccount"], "confused-deputy guard: the account");
    assert.match(trust.Statement[0]!.Condition.ArnEquals["aws:SourceArn"]!, new RegExp(`:rule/.+/${resourceName(id)}$`), "and this rule only");
  });

  it("refuses to wire without region, role and bus, calling nothing", async () => {
    const result = await run("connectEventBridge");
    assert.equal(result.ok, false);
    assert.match(result.message, /AWS region, IAM role ARN, Buildkite partner event bus name/);
    assert.equal(eb.calls.length, 0);
  });

  it("creates the connection, API destination, rule and target with the customer's role and ExternalId", async () => {
    await setAws({ awsRegion: "eu-west-1", awsRoleArn: ROLE, eventBusName: BUS, invokeRoleArn: INVOKE_ROLE, deadLetterQueueArn: DLQ });
    const result = await run("connectEventBridge");
    assert.equal(result.ok, true, result.message);
    assert.match(result.message, /created: connection, apiDestination/);
    assert.ok(sts.calls.some((c) => c.roleArn === ROLE && c.granted));

    const connection = eb.connection(name)!;
    assert.equal(connection.AuthorizationType, "API_KEY");
    const keyParams = (connection.AuthParameters as { ApiKeyAuthParameters: { ApiKeyName: string; ApiKeyValue: string } }).ApiKeyAuthParameters;
    assert.equal(keyParams.ApiKeyName, "X-Relay-Api-Key");
    assert.equal(keyParams.ApiKeyValue, bed.apiKey);
    const destination = eb.apiDestination(name)!;
    assert.equal(destination.InvocationEndpoint, `${bed.h.url}/inbound/buildkite/eventbridge/${bed.h.tenant.installation.id}`);
    assert.equal(destination.HttpMethod, "POST");
    assert.equal(destination.ConnectionArn, connection.ConnectionArn);
    const rule = eb.rule(name, BUS)!;
    const pattern = JSON.parse(rule.rule.EventPattern!) as { source: unknown; "detail-type": string[] };
    assert.deepEqual(pattern.source, [{ prefix: "aws.partner/buildkite.com" }]);
    assert.deepEqual(pattern["detail-type"], ["Build Created", "Build Started", "Build Failing", "Build Blocked", "Build Finished"]);
    assert.equal(rule.rule.State, "ENABLED");
    assert.equal(rule.targets.length, 1);
    const target = rule.targets[0] as { Id: string; Arn: string; RoleArn: string; DeadLetterConfig: { Arn: string }; RetryPolicy: Record<string, number> };
    assert.equal(target.Id, TARGET_ID);
    assert.equal(target.Arn, destination.ApiDestinationArn);
    assert.equal(target.RoleArn, INVOKE_ROLE);
    assert.equal(target.DeadLetterConfig.Arn, DLQ);
    assert.equal(target.RetryPolicy.MaximumEventAgeInSeconds, 86400);
  });

  it("is idempotent: a second run updates in place and creates nothing", async () => {
    const destinationArn = eb.apiDestination(name)!.ApiDestinationArn;
    const result = await run("connectEventBridge");
    assert.equal(result.ok, true, result.message);
    assert.equal(result.message, "EventBridge wiring is up to date");
    assert.equal(eb.apiDestination(name)!.ApiDestinationArn, destinationArn);
    assert.equal(eb.rule(name, BUS)!.targets.length, 1);
    assert.equal(eb.callsOf("CreateConnection").length, 1);
  });

  it("delivers what the wiring sends: the connection's header and key reach the app and the build is reported", async () => {
    const keyParams = (eb.connection(name)!.AuthParameters as { ApiKeyAuthParameters: { ApiKeyName: string; ApiKeyValue: string } }).ApiKeyAuthParameters;
    const endpoint = eb.apiDestination(name)!.InvocationEndpoint;
    const commit = "7".repeat(40);
    const res = await bed.h.fetch("POST", endpoint.slice(bed.h.url.length), JSON.stringify(ebEvent(undefined, { commit })), {
      "content-type": "application/json; charset=utf-8",
      [keyParams.ApiKeyName]: keyParams.ApiKeyValue,
    });
    assert.equal(res.status, 202);
    await settle(bed.h);
    assert.equal(statusesOf(bed, commit)[0]!.state, "SUCCESSFUL");
  });

  it("rotating the API key pushes the new key to the connection; the old key works only during its grace period", async () => {
    const old = bed.apiKey;
    const result = await run("rotateApiKey");
    assert.equal(result.ok, true, result.message);
    assert.ok(!result.message.includes(old));
    const fresh = await bed.h.services.installations.secret(bed.h.tenant.installation.id, "buildkiteApiKey");
    assert.ok(fresh && fresh !== old);
    const keyParams = (eb.connection(name)!.AuthParameters as { ApiKeyAuthParameters: { ApiKeyValue: string } }).ApiKeyAuthParameters;
    assert.equal(keyParams.ApiKeyValue, fresh);
    const path = `/inbound/buildkite/eventbridge/${bed.h.tenant.installation.id}`;
    assert.equal((await bed.h.post(path, ebEvent(), { "x-relay-api-key": old })).status, 202, "events in flight with the old key");
    assert.match(result.message, /previous key is still accepted until/);
    assert.equal((await run("endApiKeyGrace")).ok, true);
    assert.equal((await bed.h.post(path, ebEvent(), { "x-relay-api-key": old })).status, 401);
    assert.equal((await bed.h.post(path, ebEvent(), { "x-relay-api-key": fresh })).status, 202);
    bed.apiKey = fresh;
  });

  it("rotating the webhook token invalidates the old one", async () => {
    const old = bed.webhookToken;
    const result = await run("rotateWebhookToken");
    assert.equal(result.ok, true);
    const path = `/inbound/buildkite/webhook/${bed.h.tenant.installation.id}`;
    const res = await bed.h.post(path, { event: "ping" }, { "x-buildkite-event": "ping", "x-buildkite-token": old });
    assert.equal(res.status, 401);
  });

  it("reports a denied AssumeRole (wrong ExternalId in the trust policy) as a failed action", async () => {
    const other = "arn:aws:iam::123456789012:role/relay-other";
    sts.allowRole(other, "some-other-external-id");
    await setAws({ awsRoleArn: other });
    try {
      const result = await run("connectEventBridge");
      assert.equal(result.ok, false);
      assert.match(result.message, /not authorized/);
      assert.match(result.message, /the app could not assume the role arn:aws:iam::123456789012:role\/relay-other: .*sts:ExternalId/, "says what to fix");
    } finally {
      await setAws({ awsRoleArn: ROLE });
    }
  });

  it("removes target, rule, API destination and connection; a second removal finds nothing", async () => {
    const result = await run("disconnectEventBridge");
    assert.equal(result.ok, true, result.message);
    assert.equal(result.message, "Removed: target, rule, apiDestination, connection");
    assert.equal(eb.connection(name), undefined);
    assert.equal(eb.apiDestination(name), undefined);
    assert.equal(eb.rule(name, BUS), undefined);
    const again = await run("disconnectEventBridge");
    assert.equal(again.ok, true);
    assert.equal(again.message, "Nothing to remove");
  });
});
