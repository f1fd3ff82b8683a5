import assert from "node:assert/strict";
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteRuleCommand,
  DescribeConnectionCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UpdateApiDestinationCommand,
  DescribeApiDestinationCommand,
  DeleteApiDestinationCommand,
  UpdateConnectionCommand,
  DeleteConnectionCommand,
  InvalidEventPatternException,
} from "@aws-sdk/client-eventbridge";
import { FakeEventBridge } from "../../fakes/aws/eventbridge";

describe("Fake EventBridge (awsJson1_1) driven by the real SDK client", () => {
  let eb: FakeEventBridge;
  let client: EventBridgeClient;
  before(async () => {
    eb = await FakeEventBridge.start();
    client = new EventBridgeClient({
      region: "eu-west-1",
      endpoint: eb.url,
      credentials: { accessKeyId: "AKIATEST", secretAccessKey: "secret" },
      maxAttempts: 1,
    });
  });
  after(async () => {
    client.destroy();
    await eb.close();
  });

  it("accepts PutEvents with per-entry results and records the wire format", async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: "relay", DetailType: "repo:push", Detail: JSON.stringify({ a: 1 }), EventBusName: "bus-a", Time: new Date(1735787045000) },
          { Source: "relay", DetailType: "repo:push", Detail: "not json", EventBusName: "bus-a" },
          { Source: "aws.partner", DetailType: "x", Detail: "{}", EventBusName: "bus-a" },
        ],
      }),
    );
    assert.equal(out.FailedEntryCount, 2);
    assert.ok(out.Entries?.[0]?.EventId);
    assert.equal(out.Entries?.[1]?.ErrorCode, "MalformedDetail");
    assert.equal(out.Entries?.[2]?.ErrorCode, "NotAuthorizedForSourceException");
    const call = eb.callsOf("PutEvents").at(-1)!;
    assert.equal(call.headers["content-type"], "application/x-amz-json-1.1");
    assert.equal(call.headers["x-amz-target"], "AWSEvents.PutEvents");
    assert.equal((call.input.Entries as Array<{ Time: unknown }>)[0]!.Time, 1735787045, "Time travels as epoch seconds");
    assert.deepEqual(eb.eventsOn("bus-a")[0]!.detail, { a: 1 });
    assert.equal(eb.eventsOn("bus-a")[0]!.region, "eu-west-1");
  });

  it("rejects more than 10 entries and oversized requests with ValidationException", async () => {
    const entry = { Source: "relay", DetailType: "d", Detail: "{}" };
    await assert.rejects(client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) })), (e: Error) => e.name === "ValidationException");
    const big = { Source: "relay", DetailType: "d", Detail: JSON.stringify({ s: "x".repeat(eb.maxEntryBytes) }) };
    await assert.rejects(client.send(new PutEventsCommand({ Entries: [big] })), /over the limit/);
  });

  it("fails injected entries inside a 200 answer", async () => {
    eb.failEntries({ errorCode: "InternalFailure", match: (e) => e.detail.includes('"n":2') });
    const out = await client.send(
      new PutEventsCommand({ Entries: [1, 2, 3].map((n) => ({ Source: "relay", DetailType: "d", Detail: JSON.stringify({ n }) })) }),
    );
    assert.equal(out.FailedEntryCount, 1);
    assert.equal(out.Entries?.[1]?.ErrorCode, "InternalFailure");
    assert.ok(out.Entries?.[0]?.EventId && out.Entries?.[2]?.EventId);
  });

  it("keeps connections, API destinations, rules and targets with AWS's errors", async () => {
    const conn = await client.send(
      new CreateConnectionCommand({
        Name: "relay-conn",
        AuthorizationType: "API_KEY",
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "s3cret" } },
      }),
    );
    assert.match(conn.ConnectionArn!, /^arn:aws:events:eu-west-1:123456789012:connection\/relay-conn\//);
    assert.equal(conn.ConnectionState, "AUTHORIZED");
    await assert.rejects(
      client.send(new CreateConnectionCommand({ Name: "relay-conn", AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "k", ApiKeyValue: "v" } } })),
      ResourceAlreadyExistsException,
    );
    const described = await client.send(new DescribeConnectionCommand({ Name: "relay-conn" }));
    assert.equal(described.AuthParameters?.ApiKeyAuthParameters?.ApiKeyName, "x-api-key");
    assert.ok(!JSON.stringify(described).includes("s3cret"), "the key value is never returned");
    await client.send(new UpdateConnectionCommand({ Name: "relay-conn", AuthParameters: { ApiKeyAuthParameters: { ApiKeyValue: "rotated" } } }));
    assert.equal((eb.connection("relay-conn")!.AuthParameters.ApiKeyAuthParameters as { ApiKeyValue: string }).ApiKeyValue, "rotated");

    await assert.rejects(
      client.send(new CreateApiDestinationCommand({ Name: "d1", ConnectionArn: "arn:aws:events:eu-west-1:123456789012:connection/nope/x", InvocationEndpoint: "https://x.example/h", HttpMethod: "POST" })),
      ResourceNotFoundException,
    );
    await assert.rejects(
      client.send(new CreateApiDestinationCommand({ Name: "d1", ConnectionArn: conn.ConnectionArn, InvocationEndpoint: "http://x.example/h", HttpMethod: "POST" })),
      /HTTPS/,
    );
    const dest = await client.send(
      new CreateApiDestinationCommand({ Name: "d1", ConnectionArn: conn.ConnectionArn, InvocationEndpoint: "https://relay.example/inbound/x", HttpMethod: "POST", InvocationRateLimitPerSecond: 10 }),
    );
    assert.equal(dest.ApiDestinationState, "ACTIVE");
    await client.send(new UpdateApiDestinationCommand({ Name: "d1", InvocationEndpoint: "https://relay.example/inbound/y" }));
    const d = await client.send(new DescribeApiDestinationCommand({ Name: "d1" }));
    assert.equal(d.InvocationEndpoint, "https://relay.example/inbound/y");

    await assert.rejects(client.send(new DescribeRuleCommand({ Name: "r1", EventBusName: "bus-b" })), ResourceNotFoundException);
    await assert.rejects(client.send(new PutRuleCommand({ Name: "r1", EventBusName: "bus-b", EventPattern: "{not json" })), InvalidEventPatternException);
    const rule = await client.send(new PutRuleCommand({ Name: "r1", EventBusName: "bus-b", EventPattern: JSON.stringify({ source: ["relay"] }) }));
    assert.equal(rule.RuleArn, "arn:aws:events:eu-west-1:123456789012:rule/bus-b/r1");
    const put = await client.send(
      new PutTargetsCommand({
        Rule: "r1",
        EventBusName: "bus-b",
        Targets: [
          { Id: "ok", Arn: dest.ApiDestinationArn, RoleArn: "arn:aws:iam::123456789012:role/invoke" },
          { Id: "norole", Arn: dest.ApiDestinationArn },
        ],
      }),
    );
    assert.equal(put.FailedEntryCount, 1);
    assert.equal(put.FailedEntries?.[0]?.TargetId, "norole");
    const listed = await client.send(new ListTargetsByRuleCommand({ Rule: "r1", EventBusName: "bus-b" }));
    assert.deepEqual(listed.Targets?.map((t) => t.Id), ["ok"]);
    await assert.rejects(client.send(new DeleteRuleCommand({ Name: "r1", EventBusName: "bus-b" })), /has targets/);
    await client.send(new RemoveTargetsCommand({ Rule: "r1", EventBusName: "bus-b", Ids: ["ok"] }));
    await client.send(new DeleteRuleCommand({ Name: "r1", EventBusName: "bus-b" }));
    assert.equal(eb.rule("r1", "bus-b"), undefined);
    await client.send(new DeleteApiDestinationCommand({ Name: "d1" }));
    await client.send(new DeleteConnectionCommand({ Name: "relay-conn" }));
    await assert.rejects(client.send(new DescribeConnectionCommand({ Name: "relay-conn" })), ResourceNotFoundException);
  });
});
