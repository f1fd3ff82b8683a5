import assert from "node:assert/strict";
import { referenceJson } from "../../helpers/fixtures";
import { parseGitUrl, gitUrlMatches, bitbucketHosts, redactGitUrl } from "../../../src/integrations/buildkite/repo-url";
import { statusKey, statusFor, bitbucketState, rankOf } from "../../../src/integrations/buildkite/mapping";
import { verifyBuildkiteWebhook, parseSignatureHeader } from "../../../src/integrations/buildkite/webhook-signature";
import { compareEvents } from "../../../src/integrations/buildkite/ordering";
import { buildFromEventBridge, buildFromWebhook, EventBridgeEnvelopeSchema } from "../../../src/integrations/buildkite/payloads";
import { cleanStatusBody, STATUS_KEY_MAX } from "../../../src/bitbucket/api/statuses";

describe("Buildkite: pure parts", () => {
  describe("git URL matching", () => {
    const hosts = bitbucketHosts("https://bitbucket.org");
    const yes = [
      "git@bitbucket.org:acme/widgets.git",
      "bitbucket.org:acme/widgets",
      "https://bitbucket.org/acme/widgets",
      "https://bitbucket.org/acme/widgets.git",
      "https://bitbucket.org/acme/widgets/",
      "https://jane@bitbucket.org/acme/widgets.git",
      "https://x-token-auth:secret@bitbucket.org/acme/widgets.git",
      "ssh://git@bitbucket.org/acme/widgets.git",
      "ssh://git@bitbucket.org:22/acme/widgets",
      "ssh://git@altssh.bitbucket.org:443/acme/widgets.git",
      "git+ssh://git@bitbucket.org/ACME/Widgets.git",
    ];
    for (const url of yes) it(`matches ${url}`, () => assert.ok(gitUrlMatches(url, "acme/widgets", hosts)));
    const no = [
      "git@github.com:acme/widgets.git",
      "git@bitbucket.org:acme/widgets-2.git",
      "git@bitbucket.org:other/widgets.git",
      "https://bitbucket.org/acme/widgets/src/main",
      "https://bitbucket.org/acme",
      "not a url",
      "",
    ];
    for (const url of no) it(`does not match "${url}"`, () => assert.ok(!gitUrlMatches(url, "acme/widgets", hosts)));
    it("accepts the installation's own site host", () => {
      assert.ok(gitUrlMatches("http://127.0.0.1:4567/acme/widgets.git", "acme/widgets", bitbucketHosts("http://127.0.0.1:4567")));
      assert.deepEqual(parseGitUrl("git@bitbucket.org:acme/widgets.git"), { host: "bitbucket.org", workspace: "acme", slug: "widgets" });
    });
    it("redacts a password in a clone URL before logging it", () => {
      assert.equal(redactGitUrl("https://x-token-auth:s3cr3t@bitbucket.org/acme/widgets.git"), "https://x-token-auth:[redacted]@bitbucket.org/acme/widgets.git");
      assert.equal(redactGitUrl("git@bitbucket.org:acme/widgets.git"), "git@bitbucket.org:acme/widgets.git");
    });
  });

  describe("status key, name and state", () => {
    it("keeps the key stable per pipeline and within Bitbucket's 40 characters", () => {
      const slug = "a-very-long-pipeline-slug-that-goes-beyond-forty-characters";
      assert.equal(statusKey("widgets", STATUS_KEY_MAX), "buildkite-widgets");
      const long = statusKey(slug, STATUS_KEY_MAX);
      assert.equal(long.length, 40);
      assert.match(long, /^buildkite-[0-9a-f]{30}$/);
      assert.equal(long, statusKey(slug, STATUS_KEY_MAX));
      assert.notEqual(long, statusKey(`${slug}-2`, STATUS_KEY_MAX));
      assert.throws(() => cleanStatusBody({ key: "k".repeat(41), state: "FAILED" }), RangeError);
    });
    it("fits the key to the host's limit: a host with 255-character keys (Data Center) keeps the slug", () => {
      const slug = "a-very-long-pipeline-slug-that-goes-beyond-forty-characters";
      assert.equal(statusKey(slug, 255), `buildkite-${slug}`);
      assert.match(statusKey("x".repeat(300), 255), /^buildkite-[0-9a-f]{64}$/);
      assert.match(statusKey("odd slug!", 255), /^buildkite-[0-9a-f]{64}$/);
    });
    it("maps every documented build state (and blocked by its earlier steps)", () => {
      const states = referenceJson<{ build_states_lifecycle_doc: string[]; build_states_rest_api_data_model: string[] }>("buildkite/build-states.json");
      for (const s of new Set([...states.build_states_lifecycle_doc, ...states.build_states_rest_api_data_model])) {
        assert.ok(bitbucketState({ state: s, blockedState: null }, "SUCCESSFUL"), `state ${s} has a mapping`);
      }
      assert.equal(bitbucketState({ state: "blocked", blockedState: null }, "INPROGRESS"), "INPROGRESS");
      assert.equal(bitbucketState({ state: "blocked", blockedState: "failed" }, "SUCCESSFUL"), "FAILED");
      assert.equal(bitbucketState({ state: "mystery", blockedState: null }, "SUCCESSFUL"), null);
      assert.ok(rankOf("passed") > rankOf("running") && rankOf("running") > rankOf("scheduled"));
    });
    it("builds the body of the reference example from the EventBridge Build Finished event", () => {
      const env = EventBridgeEnvelopeSchema.parse(referenceJson("buildkite/eventbridge-build-finished.json"));
      const parsed = buildFromEventBridge(env, 0);
      assert.ok(parsed.ok);
      assert.equal(parsed.value.occurredAt, Date.parse("2024-08-19T07:08:54Z"));
      assert.deepEqual(statusFor(parsed.value, "SUCCESSFUL", { statusKeyMax: STATUS_KEY_MAX, statusUrlMax: Infinity }), {
        key: "buildkite-my-pipeline",
        state: "SUCCESSFUL",
        name: "Buildkite: my-pipeline #123456",
        description: "Build passed",
        url: "https://buildkite.com/my-org/my-pipeline/builds/123456",
        refname: "main",
        buildNumber: "123456",
        durationMs: 19_000, // started_at 06:01:16 UTC → finished_at 06:01:35 UTC
      });
    });
    it("reads the organization of a webhook from its URLs and normalizes blocked", () => {
      const body = referenceJson<{ build: Record<string, unknown> }>("buildkite/webhook-build-finished.json");
      body.build = { ...body.build, state: "passed", blocked: true };
      const parsed = buildFromWebhook(body, "id", 1);
      assert.ok(parsed.ok);
      assert.equal(parsed.value.organization, "acme");
      assert.equal(parsed.value.state, "blocked");
      assert.equal(parsed.value.blockedState, "passed");
    });
  });

  describe("webhook signature (reference test vectors)", () => {
    const tv = referenceJson<{ secret: string; vectors: Array<{ timestamp: string; raw_body: string; header: string; valid: boolean }> }>(
      "buildkite/webhook-signature-test-vector.json",
    );
    for (const v of tv.vectors) {
      it(`${v.valid ? "accepts" : "refuses"} ${v.header.slice(0, 40)}… over ${v.raw_body.slice(0, 40)}…`, () => {
        const now = Number(v.timestamp) * 1000 + 1000;
        const result = verifyBuildkiteWebhook({ signature: v.header }, Buffer.from(v.raw_body), tv.secret, now);
        assert.equal(result.ok, v.valid);
      });
    }
    it("refuses a valid signature more than 5 minutes old", () => {
      const v = tv.vectors[0]!;
      const result = verifyBuildkiteWebhook({ signature: v.header }, Buffer.from(v.raw_body), tv.secret, Number(v.timestamp) * 1000 + 5 * 60_000 + 1);
      assert.deepEqual(result, { ok: false, reason: "stale signature timestamp" });
    });
    it("parses the header by splitting on ',' then the first '='", () => {
      assert.deepEqual(parseSignatureHeader("timestamp=1,signature=" + "A".repeat(64)), { timestamp: "1", signature: "a".repeat(64) });
      assert.equal(parseSignatureHeader("timestamp=x,signature=zz"), null);
    });
  });

  describe("event order", () => {
    it("orders by build number, then time, then lifecycle rank", () => {
      assert.ok(compareEvents({ buildNumber: 2, occurredAt: 0, rank: 0 }, { buildNumber: 1, occurredAt: 9, rank: 3 }) > 0);
      assert.ok(compareEvents({ buildNumber: 1, occurredAt: 5, rank: 1 }, { buildNumber: 1, occurredAt: 4, rank: 3 }) > 0, "retry moves forward");
      assert.ok(compareEvents({ buildNumber: 1, occurredAt: 4, rank: 1 }, { buildNumber: 1, occurredAt: 4, rank: 3 }) < 0);
      assert.equal(compareEvents({ buildNumber: 1, occurredAt: 4, rank: 3 }, { buildNumber: 1, occurredAt: 4, rank: 3 }), 0);
    });
  });
});
