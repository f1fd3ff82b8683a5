import assert from "node:assert/strict";
import type { IntegrationDefinition } from "../../src/settings/registry";
import { buildkiteDefinition } from "../../src/integrations/buildkite/definition";
import { buildAlerts } from "../../src/integrations/build-alerts/settings";
import { eventBridgeOut } from "../../src/integrations/eventbridge-out/settings";
import { protonIntegration } from "../../src/integrations/proton/settings";
import { reviewRadarDefinition } from "../../src/integrations/review-radar/settings";
import { jsonSchemaOf } from "../../src/web/api/settings-view";
import { buildAlertsSetup, type BuildAlertsSettings, BuildAlertsSchema } from "../../src/integrations/build-alerts/settings";
import { reviewRadarSetup, ReviewRadarSettingsSchema } from "../../src/integrations/review-radar/settings";
import { buildkiteSetup, BuildkiteSettingsSchema } from "../../src/integrations/buildkite/settings";

type Prop = { enum?: unknown[]; items?: Prop; anyOf?: Prop[]; type?: string };

/** The values a field's schema allows, when it is an enum or a list of enum values / integers (for option labels). */
function allowed(p: Prop): unknown[] | null {
  const flat = p.anyOf?.find((b) => b.type !== "null") ?? p;
  if (flat.enum) return flat.enum;
  if (flat.items) return allowed(flat.items);
  return null;
}

/**
 * Every shipped integration's settings-page metadata matches its schema: labelled fields exist,
 * their groups are listed, option labels name values the schema accepts (and all of them).
 */
describe("Settings field metadata of the shipped integrations", () => {
  // The shipped ones (other tests register integrations of their own in the same registry).
  const defs = [buildkiteDefinition, buildAlerts, eventBridgeOut, protonIntegration, reviewRadarDefinition] as unknown as IntegrationDefinition[];

  it("names only real fields, listed groups and every allowed value", () => {
    for (const def of defs) {
      const props = (jsonSchemaOf(def)?.properties ?? {}) as Record<string, Prop>;
      assert.ok(def.setup, `${def.id} has a setup checklist`);
      for (const [name, meta] of Object.entries(def.fields ?? {})) {
        assert.ok(props[name], `${def.id}.${name} is a field of its schema`);
        if (meta?.group) assert.ok(def.groups?.includes(meta.group), `${def.id}.${name}: group "${meta.group}" is listed`);
        if (meta?.options) {
          const values = allowed(props[name]!);
          const labelled = meta.options.map((o) => o.value);
          if (values) assert.deepEqual([...labelled].sort(), [...values].sort(), `${def.id}.${name}: a label for each allowed value`);
          else assert.ok(labelled.every((v) => typeof v === "number"), `${def.id}.${name}: numbered choices`);
        }
      }
      for (const g of def.groupsWhenOff ?? []) assert.ok(def.groups?.includes(g), `${def.id}: ${g} is a listed group`);
      // Every field the page shows has help or a label of its own, except switches named plainly.
      const described = Object.keys(props).filter((n) => n !== "enabled" && !def.fields?.[n as never]);
      assert.deepEqual(described, [], `${def.id}: fields without metadata`);
    }
  });

  const facts = <S>(settings: S, o: Partial<{ savedAt: number | null; lastInboundAt: number | null; outcome: "ok" | "failed" | null }> = {}) => ({
    settings,
    savedAt: o.savedAt === undefined ? 1 : o.savedAt,
    lastInboundAt: o.lastInboundAt ?? null,
    lastDelivery: o.outcome ? { id: "d", source: "connect", eventKey: "repo:push", at: 1, outcome: o.outcome, reason: o.outcome === "failed" ? "HTTP 403" : null } : null,
  });

  it("build alerts: the target step needs a switched-on target with everything it needs (the webhook: URL and secret)", () => {
    const base = BuildAlertsSchema.parse({ enabled: true }) as BuildAlertsSettings;
    const target = (s: BuildAlertsSettings) => buildAlertsSetup(facts(s)).find((x) => x.id === "target")!.done;
    assert.equal(target(base), false);
    assert.equal(target({ ...base, webhookEnabled: true, webhookUrl: "https://alerts.example.com/relay" }), false);
    assert.equal(target({ ...base, webhookEnabled: true, webhookUrl: "https://alerts.example.com/relay", webhookSecret: "s".repeat(16) }), true);
    assert.equal(target({ ...base, pagerdutyEnabled: true, pagerdutyRoutingKey: "R0UTINGKEY" }), true);
  });

  it("review radar and Buildkite: chat webhook, inbound door and a failed delivery", () => {
    const radar = ReviewRadarSettingsSchema.parse({ enabled: true });
    assert.equal(reviewRadarSetup(facts(radar)).find((x) => x.id === "chat")!.done, false);
    assert.equal(reviewRadarSetup(facts({ ...radar, slackWebhookUrl: "https://hooks.slack.com/services/T/B/X" })).find((x) => x.id === "chat")!.done, true);
    const bk = BuildkiteSettingsSchema.parse({ enabled: true });
    assert.deepEqual(buildkiteSetup(facts(bk, { savedAt: null })).map((x) => x.done), [false, false, false]);
    assert.deepEqual(buildkiteSetup(facts(bk, { lastInboundAt: 5, outcome: "failed" })).map((x) => x.done), [true, true, false]);
    assert.match(buildkiteSetup(facts(bk, { lastInboundAt: 5, outcome: "failed" }))[2]!.detail!, /failed: HTTP 403/);
    assert.deepEqual(buildkiteSetup(facts(bk, { lastInboundAt: 5, outcome: "ok" })).map((x) => x.done), [true, true, true]);
  });
});
