import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { buildEventPattern, INVOCATION_RATE_LIMIT, TARGET_ID } from "../../../src/integrations/buildkite/eventbridge-wiring";
import { API_KEY_HEADER } from "../../../src/integrations/buildkite/credentials";

type Resource = { Type: string; Condition?: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties: Record<string, unknown> };
type Statement = { Effect: string; Principal?: { Service?: string }; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> };

describe("Buildkite: deploy/buildkite-eventbridge.yaml creates what the wiring creates", () => {
  const file = path.resolve(__dirname, "../../../deploy/buildkite-eventbridge.yaml");
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) as {
    Parameters: Record<string, { Default?: unknown; NoEcho?: boolean; AllowedPattern?: string }>;
    Resources: Record<string, Resource>;
    Conditions: Record<string, unknown>;
  };
  const refs = (node: unknown, out: string[] = []): string[] => {
    if (Array.isArray(node)) node.forEach((n) => refs(n, out));
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "Ref" && typeof v === "string") out.push(v);
        else if (k === "Fn::GetAtt" && Array.isArray(v)) out.push(String(v[0]));
        else if (k === "Condition" && typeof v === "string") out.push(`condition:${v}`);
        else if (k === "Fn::Sub" && typeof v === "string") out.push(...[...v.matchAll(/\$\{([^}!]+)\}/g)].map((m) => m[1]!));
        else refs(v, out);
      }
    }
    return out;
  };

  it("is plain YAML whose references all resolve", () => {
    const pseudo = ["AWS::NoValue", "AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::URLSuffix"];
    const known = new Set([...Object.keys(doc.Parameters), ...Object.keys(doc.Resources), ...pseudo]);
    for (const r of refs(doc.Resources)) {
      if (r.startsWith("condition:")) assert.ok(r.slice(10) in doc.Conditions, r);
      else assert.ok(known.has(r), `unresolved reference ${r}`);
    }
  });

  it("uses the same event pattern, header name, rate, target id and retry policy as the wiring", () => {
    const rule = Object.values(doc.Resources).find((r) => r.Type === "AWS::Events::Rule")!;
    assert.deepEqual(rule.Properties.EventPattern, JSON.parse(buildEventPattern()));
    const target = (rule.Properties.Targets as Array<Record<string, unknown>>)[0]!;
    assert.equal(target.Id, TARGET_ID);
    assert.deepEqual(target.RetryPolicy, { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
    assert.equal(doc.Parameters.ApiKeyHeaderName!.Default, API_KEY_HEADER);
    assert.equal(doc.Parameters.InvocationRateLimitPerSecond!.Default, INVOCATION_RATE_LIMIT);
    assert.equal(doc.Parameters.ApiKey!.NoEcho, true, "the API key is never echoed");
    const connection = Object.values(doc.Resources).find((r) => r.Type === "AWS::Events::Connection")!;
    assert.equal(connection.Properties.AuthorizationType, "API_KEY");
    assert.ok(new RegExp(`^${doc.Parameters.AppEndpoint!.AllowedPattern}$`).test("https://relay.example.com/inbound/buildkite/eventbridge/0f8fad5b-d9cb-469f-a165-70867728950e"));
    assert.ok(new RegExp(`^${doc.Parameters.PartnerEventSourceName!.AllowedPattern}$`).test("aws.partner/buildkite.com/acme/0106-187c-12cd4fe"));
  });

  it("keeps the dead-letter queue (and the events in it) when the stack is deleted or the queue replaced", () => {
    const queues = Object.entries(doc.Resources).filter(([, r]) => r.Type === "AWS::SQS::Queue");
    assert.ok(queues.length >= 1);
    for (const [name, q] of queues) {
      assert.equal(q.DeletionPolicy, "Retain", `${name}: DeletionPolicy`);
      assert.equal(q.UpdateReplacePolicy, "Retain", `${name}: UpdateReplacePolicy`);
    }
  });

  it("lets EventBridge act (assume the invoke role, write to the queue) only for this account's rule: aws:SourceAccount and aws:SourceArn", () => {
    const rule = Object.values(doc.Resources).find((r) => r.Type === "AWS::Events::Rule")!;
    assert.deepEqual(rule.Properties.Name, { Ref: "RuleName" }, "the rule is named, so that its ARN can be written without a cycle");
    const documents = Object.entries(doc.Resources).flatMap(([name, r]) => {
      const p = r.Properties as { AssumeRolePolicyDocument?: { Statement: Statement[] }; PolicyDocument?: { Statement: Statement[] } };
      return [p.AssumeRolePolicyDocument, p.PolicyDocument].flatMap((d) => (d ? d.Statement.map((s) => [name, s] as const) : []));
    });
    const forEvents = documents.filter(([, s]) => s.Principal?.Service === "events.amazonaws.com");
    assert.equal(forEvents.length, 2, "the invoke role's trust policy and the queue policy");
    for (const [name, s] of forEvents) {
      const arn = s.Condition?.ArnEquals?.["aws:SourceArn"] as { "Fn::Sub"?: string; "Fn::GetAtt"?: string[] } | undefined;
      assert.ok(arn, `${name}: aws:SourceArn condition`);
      if (arn["Fn::GetAtt"]) assert.deepEqual(arn["Fn::GetAtt"], ["BuildEventsRule", "Arn"], name);
      else {
        // The ARN EventBridge gives a rule on a named bus: rule/<bus>/<name>; the bus is always PartnerEventSourceName.
        assert.equal(arn["Fn::Sub"], "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${PartnerEventSourceName}/${RuleName}", name);
        assert.deepEqual(s.Condition?.StringEquals?.["aws:SourceAccount"], { Ref: "AWS::AccountId" }, `${name}: aws:SourceAccount`);
      }
    }
    const bus = doc.Resources.PartnerEventBus!.Properties.Name;
    assert.deepEqual(bus, { Ref: "PartnerEventSourceName" }, "a created bus has the partner source's name, as the ARN assumes");
  });

  it("is cfn-lint clean: no error, warning or informational finding", function () {
    this.timeout(600_000); // cfn-lint loads every resource schema (a generous bound on a loaded machine)
    // cfn-lint is a Python tool (pip install cfn-lint); it is not on npm nor in Debian. Where it is missing the
    // structural tests above still hold the template to the same rules (retained queue, scoped trust).
    const probe = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" });
    if (probe.error) return this.skip();
    const run = spawnSync("cfn-lint", ["--format", "json", "--include-checks", "I", "--", file], { encoding: "utf8" });
    assert.equal(run.stdout.trim(), "[]", `cfn-lint ${probe.stdout.trim()} findings:\n${run.stdout}${run.stderr}`);
    assert.equal(run.status, 0);
  });
});
