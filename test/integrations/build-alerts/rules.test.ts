import assert from "node:assert/strict";
import { decide } from "../../../src/integrations/build-alerts/lifecycle";
import { identityOf } from "../../../src/integrations/build-alerts/identity";
import { matchesAny } from "../../../src/integrations/build-alerts/filters";
import { BuildAlertsSchema } from "../../../src/integrations/build-alerts/settings";
import { CommitStatusEventSchema } from "../../../src/bitbucket/events";
import { referenceJson } from "../../helpers/fixtures";

describe("Build alerts: the rule table, identity and filters", () => {
  it("follows the incident lifecycle table", () => {
    const closed = { state: "closed" as const, lastStatusAt: 100 };
    const open = { state: "open" as const, lastStatusAt: 100 };
    assert.equal(decide("FAILED", null, 1).kind, "open");
    assert.equal(decide("FAILED", closed, 200).kind, "open");
    assert.deepEqual(decide("FAILED", open, 200), { kind: "ignore", reason: "duplicate: an incident is already open for this build", duplicate: true });
    assert.equal(decide("SUCCESSFUL", open, 200).kind, "close");
    assert.equal(decide("INPROGRESS", open, 200).kind, "ignore", "default policy: a new run does not resolve");
    assert.equal(decide("INPROGRESS", open, 200, { openWhen: "failed", resolveWhen: "passedOrRunning" }).kind, "close");
    assert.equal(decide("FAILED", null, 1, undefined, "running").kind, "ignore", "default policy: a failing, still running build does not open");
    assert.equal(decide("FAILED", null, 1, { openWhen: "failing", resolveWhen: "passed" }, "running").kind, "open");
    assert.equal(decide("FAILED", null, 1, undefined, "finished").kind, "open");
    assert.equal(decide("SUCCESSFUL", null, 200).kind, "ignore");
    assert.equal(decide("STOPPED", open, 200).kind, "ignore");
    assert.equal(decide("SUCCESSFUL", open, 50).kind, "ignore", "older than the last status seen");
  });

  it("identity: repository + branch + status key, readable dedup key within PagerDuty's 255 characters", () => {
    const payload = CommitStatusEventSchema.parse(referenceJson("alerting/bitbucket-repo-commit-status-updated-failed.json"));
    const id = identityOf(payload);
    assert.equal(id.dedupKey, "bitbucket:acme/widgets:feature/login:buildkite-widgets");
    assert.equal(id.scope, "branch:feature/login");
    const long = identityOf({ ...payload, commit_status: { ...payload.commit_status, refname: "b".repeat(300) } });
    assert.ok(long.dedupKey.length <= 255);
    assert.notEqual(long.hash, id.hash);
    const noRef = identityOf({ ...payload, commit_status: { ...payload.commit_status, refname: null } });
    assert.equal(noRef.scope, "commit:abcd0b72a1e580e90712cdd9eb26d3fb41cd09c8");
  });

  it("filters are globs; an empty list lets everything through", () => {
    assert.ok(matchesAny("release/2.1", ["main", "release/*"]));
    assert.ok(!matchesAny("feature/release/x", ["release/*"]));
    assert.ok(matchesAny("anything", []));
    assert.ok(!matchesAny(null, ["main"]));
    assert.ok(matchesAny("a.b", ["a.b"]) && !matchesAny("axb", ["a.b"]), "dots are literal");
  });

  it("settings: {} parses to defaults switched off", () => {
    const d = BuildAlertsSchema.parse({});
    assert.equal(d.enabled, false);
    assert.deepEqual([d.alertopsEnabled, d.pagerdutyEnabled, d.webhookEnabled], [false, false, false]);
    assert.equal(d.pagerdutyEventsUrl, "https://events.pagerduty.com/v2/enqueue");
    assert.equal(BuildAlertsSchema.safeParse({ pagerdutyEnabled: true }).success, false);
    assert.equal(BuildAlertsSchema.safeParse({ webhookSecret: "short" }).success, false);
  });
});
