import assert from "node:assert/strict";
import { batches, entrySize, prepareEntry, MAX_REQUEST_BYTES } from "../../../src/integrations/eventbridge-out/entries";
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

  it("cuts the biggest nested part first, keeps valid UTF-8 and says what it removed", () => {
    const detail = { repository: { full_name: "acme/widgets" }, pullrequest: { id: 7, description: "ü".repeat(100_000), title: "t" } };
    const r = trimDetail(detail, 50_000);
    assert.equal(r.trimmed, true);
    assert.ok(Buffer.byteLength(r.json) <= 50_000);
    const out = JSON.parse(r.json) as typeof detail & { relay: { removed: string[]; originalBytes: number } };
    assert.deepEqual(out.relay.removed, ["pullrequest.description"]);
    assert.equal(out.relay.originalBytes, Buffer.byteLength(JSON.stringify(detail)));
    assert.ok(out.pullrequest.description.startsWith("üüü"), "the start of the long text is kept");
    assert.ok(!out.pullrequest.description.includes("\ufffd"), "no broken character");
    assert.equal(out.pullrequest.title, "t");
    assert.equal(out.repository.full_name, "acme/widgets");
  });

  it("replaces big arrays and objects when cutting strings is not enough", () => {
    const commits = Array.from({ length: 3000 }, (_, i) => ({ hash: `${i}`.padStart(40, "0"), message: "fix" }));
    const r = trimDetail({ repository: { full_name: "a/b" }, push: { changes: [{ commits }] } }, 20_000);
    assert.ok(Buffer.byteLength(r.json) <= 20_000);
    assert.match(r.json, /"relay":\{"trimmed":true/);
  });

  it("prepares entries within the request limit and batches by count and size", () => {
    const small = prepareEntry({ detailType: "repo:push", detail: { a: 1 } }, "bitbucket-relay", "bus");
    assert.equal(small.trimmed, false);
    const big = prepareEntry({ detailType: "repo:push", detail: { s: "x".repeat(300_000) } }, "bitbucket-relay", "bus");
    assert.equal(big.trimmed, true);
    assert.ok(entrySize(big) <= MAX_REQUEST_BYTES);
    assert.deepEqual(batches(Array.from({ length: 21 }, () => small)).map((b) => b.length), [10, 10, 1]);
    const halves = prepareEntry({ detailType: "d", detail: { s: "y".repeat(150_000) } }, "s", "bus");
    assert.deepEqual(batches([halves, halves, small]).map((b) => b.length), [1, 2], "two 150 KB entries do not share a call");
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
