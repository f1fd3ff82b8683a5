import assert from "node:assert/strict";
import { entrySize, prepareEntry, MAX_REQUEST_BYTES } from "../../../src/integrations/eventbridge-out/entries";
import { trimDetail } from "../../../src/integrations/eventbridge-out/trim";
import { EventBridgeOutSchema } from "../../../src/integrations/eventbridge-out/settings";
import { bitbucketWebhook } from "../../helpers/fixtures";

describe("EventBridge out: entries, trimming, batching and settings", () => {
  it("keeps a payload that fits untouched", () => {
    const push = bitbucketWebhook("repo-push.real-2023.json");
    const r = trimDetail(push, MAX_REQUEST_BYTES);
    assert.equal(r.trimmed, false);
    assert.equal(r.json, JSON.stringify(push));
  });

  it("cuts the biggest nested part first, keeps valid UTF-8 and says what it cut", () => {
    const detail = { repository: { full_name: "acme/widgets" }, pullrequest: { id: 7, description: "ü".repeat(100_000), title: "t" } };
    const r = trimDetail(detail, 50_000);
    assert.equal(r.trimmed, true);
    assert.ok(Buffer.byteLength(r.json) <= 50_000);
    const out = JSON.parse(r.json) as typeof detail & { relay: { trimmed: Array<{ path: string; originalBytes: number }>; originalBytes: number } };
    assert.deepEqual(out.relay.trimmed.map((t) => [t.path, t.originalBytes]), [["/pullrequest/description", 200_000]]);
    assert.equal(out.relay.originalBytes, Buffer.byteLength(JSON.stringify(detail)));
    assert.ok(out.pullrequest.description.startsWith("üüü"), "the start of the long text is kept");
    assert.ok(!out.pullrequest.description.includes("\ufffd"), "no broken character");
    assert.equal(out.pullrequest.title, "t");
    assert.equal(out.repository.full_name, "acme/widgets");
  });

  it("prepares entries within the request limit", () => {
    const small = prepareEntry({ detailType: "repo:push", detail: { a: 1 } }, "bitbucket-relay", "bus");
    assert.equal(small.trimmed, false);
    const big = prepareEntry({ detailType: "repo:push", detail: { s: "x".repeat(300_000) } }, "bitbucket-relay", "bus");
    assert.equal(big.trimmed, true);
    assert.deepEqual(big.trimmedPaths, ["/s"]);
    assert.ok(entrySize(big) <= MAX_REQUEST_BYTES);
    assert.ok(entrySize(big) > MAX_REQUEST_BYTES - 100, "only what must go is cut");
  });

  it("settings: {} gives defaults switched off; on needs a bus and a role; the ARN's region must match", () => {
    assert.deepEqual(EventBridgeOutSchema.parse({}), { enabled: false, eventTypes: ["push", "pull_request", "commit_status"], eventBus: "", region: "us-east-1", roleArn: "" });
    const on = EventBridgeOutSchema.safeParse({ enabled: true });
    assert.deepEqual(on.error?.issues.map((i) => i.path.join(".")).sort(), ["eventBus", "roleArn"]);
    const wrongRegion = EventBridgeOutSchema.safeParse({ eventBus: "arn:aws:events:eu-west-1:123456789012:event-bus/b", region: "us-east-1" });
    assert.equal(wrongRegion.success, false);
    assert.equal(EventBridgeOutSchema.safeParse({ roleArn: "arn:aws:s3:::bucket" }).success, false);
    assert.equal(EventBridgeOutSchema.safeParse({ eventTypes: ["deploy"] }).success, false);
    assert.equal(EventBridgeOutSchema.safeParse({ extra: 1 }).success, false);
  });
});
