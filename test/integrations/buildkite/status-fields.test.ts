import assert from "node:assert/strict";
import { referenceJson } from "../../helpers/fixtures";
import { buildFromEventBridge, buildFromWebhook, buildkiteTimeMs, EventBridgeEnvelopeSchema } from "../../../src/integrations/buildkite/payloads";
import { buildUrl, statusFor } from "../../../src/integrations/buildkite/mapping";
import type { BuildkiteBuild } from "../../../src/integrations/buildkite/build-event";

const DC = { statusKeyMax: 255, statusUrlMax: 450 };
const CLOUD = { statusKeyMax: 40, statusUrlMax: Infinity };

function fromEventBridge(file: string, edit: (build: Record<string, unknown>) => void = () => {}): BuildkiteBuild {
  const ev = referenceJson<{ detail: { build: Record<string, unknown>; organization: { slug: string } } }>(`buildkite/${file}`);
  if (ev.detail.organization.slug.includes("...")) ev.detail.organization.slug = "my-org";
  edit(ev.detail.build);
  const parsed = buildFromEventBridge(EventBridgeEnvelopeSchema.parse(ev), 0);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
  return parsed.value;
}

function fromWebhook(file: string, edit: (build: Record<string, unknown>) => void = () => {}): BuildkiteBuild {
  const body = referenceJson<{ build: Record<string, unknown> }>(`buildkite/${file}`);
  edit(body.build);
  const parsed = buildFromWebhook(body, "id", 0);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
  return parsed.value;
}

/** The build number and duration a status carries (Data Center `buildNumber`/`duration`), and a URL fitted to the host. */
describe("Buildkite: build number, duration and URL length of a status", () => {
  it("reads both documented time forms: EventBridge's `… UTC` and the webhook's ISO 8601", () => {
    assert.equal(buildkiteTimeMs("2019-08-11 06:01:16 UTC"), Date.UTC(2019, 7, 11, 6, 1, 16));
    assert.equal(buildkiteTimeMs("2024-06-02T08:54:47.128Z"), Date.UTC(2024, 5, 2, 8, 54, 47, 128));
    assert.equal(buildkiteTimeMs("2024-06-02T10:54:47.128456+02:00"), Date.UTC(2024, 5, 2, 8, 54, 47, 128));
    for (const bad of [null, undefined, "", "yesterday", 1717318487128, "2024-06-02", "2024-13-02T08:54:47Z"]) assert.equal(buildkiteTimeMs(bad), null, String(bad));
  });

  it("EventBridge: a finished build has its number and duration (ms); a started one its number only", () => {
    const finished = statusFor(fromEventBridge("eventbridge-build-finished.json"), "SUCCESSFUL", DC)!;
    assert.equal(finished.buildNumber, "123456");
    assert.equal(finished.durationMs, 19_000);
    const started = statusFor(fromEventBridge("eventbridge-build-started.json"), "SUCCESSFUL", DC)!;
    assert.equal(started.state, "INPROGRESS");
    assert.equal(started.buildNumber, "123456");
    assert.ok(!("durationMs" in started), "no duration while it runs");
    const minimal = statusFor(fromEventBridge("eventbridge-build-finished-quickstart-minimal.json"), "SUCCESSFUL", DC)!;
    assert.deepEqual([minimal.buildNumber, minimal.durationMs], ["75", 9_000], "the 2020 quick-start sample");
  });

  it("webhook: build.finished has its number and duration (ms); build.running its number only", () => {
    const finished = statusFor(fromWebhook("webhook-build-finished.json"), "SUCCESSFUL", DC)!;
    assert.equal(finished.state, "FAILED");
    assert.equal(finished.buildNumber, "42");
    assert.equal(finished.durationMs, Date.parse("2024-06-02T09:19:17.829Z") - Date.parse("2024-06-02T08:54:47.128Z"));
    assert.equal(finished.durationMs, 1_470_701);
    const running = statusFor(fromWebhook("webhook-build-running.json"), "SUCCESSFUL", DC)!;
    assert.equal(running.buildNumber, "42");
    assert.ok(!("durationMs" in running));
  });

  it("no duration for a build still running by its state, one that never started, or times out of order", () => {
    // The webhook caveat: a body later than its event. The state decides: failing still runs.
    const failing = statusFor(fromWebhook("webhook-build-finished.json", (b) => (b.state = "failing")), "SUCCESSFUL", DC)!;
    assert.equal(failing.state, "FAILED");
    assert.ok(!("durationMs" in failing), "failing: other jobs still run");
    const canceledEarly = statusFor(fromWebhook("webhook-build-finished.json", (b) => Object.assign(b, { state: "canceled", started_at: null })), "SUCCESSFUL", DC)!;
    assert.ok(!("durationMs" in canceledEarly), "canceled before an agent took it");
    const backwards = statusFor(fromWebhook("webhook-build-finished.json", (b) => (b.finished_at = "2024-06-02T08:00:00Z")), "SUCCESSFUL", DC)!;
    assert.ok(!("durationMs" in backwards));
    const oddTime = statusFor(fromWebhook("webhook-build-finished.json", (b) => (b.finished_at = 1717319957829)), "SUCCESSFUL", DC)!;
    assert.ok(!("durationMs" in oddTime), "a time in an undocumented form costs the duration only");
    assert.equal(oddTime.state, "FAILED");
  });

  it("a blocked build: ended (duration to the block) when reported as a result; none when reported INPROGRESS", () => {
    const blocked = fromEventBridge("eventbridge-build-blocked.json");
    assert.equal(statusFor(blocked, "SUCCESSFUL", DC)!.durationMs, 7_000);
    assert.ok(!("durationMs" in statusFor(blocked, "INPROGRESS", DC)!));
  });

  it("fits the URL to the host: the build page, else the webhook's web_url, else the organization's page, else Buildkite's; never cut", () => {
    const base = { organization: "acme", number: 42, webUrl: null as string | null };
    const slug = `p${"x".repeat(440)}`; // the build page is 22 + 5 + 441 + 10 = 478 characters
    const long = { ...base, pipeline: { slug, name: null, repo: null } };
    assert.equal(buildUrl(long), `https://buildkite.com/acme/${slug}/builds/42`, "Cloud documents no limit");
    assert.equal(buildUrl(long, 450), "https://buildkite.com/acme");
    assert.equal(buildUrl({ ...long, webUrl: "https://buildkite.com/acme/short/builds/42" }, 450), "https://buildkite.com/acme/short/builds/42");
    assert.equal(buildUrl({ ...long, organization: `o${"y".repeat(440)}` }, 450), "https://buildkite.com/");
    assert.equal(buildUrl({ ...base, organization: null, pipeline: { slug: "p", name: null, repo: null } }, 450), undefined, "nothing to link to");
    const fitted = statusFor(fromEventBridge("eventbridge-build-finished.json"), "SUCCESSFUL", DC)!;
    assert.equal(fitted.url, "https://buildkite.com/my-org/my-pipeline/builds/123456", "a URL that fits is kept");
    const onCloud = statusFor(fromWebhook("webhook-build-finished.json", (b) => (b.web_url = `https://buildkite.com/acme/${slug}/builds/42`)), "SUCCESSFUL", CLOUD)!;
    assert.equal(onCloud.url, "https://buildkite.com/acme/widgets/builds/42");
  });
});
