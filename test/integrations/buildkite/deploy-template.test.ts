import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { buildEventPattern, INVOCATION_RATE_LIMIT, TARGET_ID } from "../../../src/integrations/buildkite/eventbridge-wiring";
import { API_KEY_HEADER } from "../../../src/integrations/buildkite/credentials";

type Resource = { Type: string; Condition?: string; Properties: Record<string, unknown> };

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
        else refs(v, out);
      }
    }
    return out;
  };

  it("is plain YAML whose references all resolve", () => {
    const known = new Set([...Object.keys(doc.Parameters), ...Object.keys(doc.Resources), "AWS::NoValue"]);
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
});
