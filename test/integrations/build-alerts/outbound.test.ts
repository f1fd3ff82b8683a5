import assert from "node:assert/strict";
import { Harness } from "../../helpers/harness";
import { FakeDns, PUBLIC_ADDRESS } from "../../helpers/dns";
import { InternalService } from "../../fakes/internal-service";
import { buildAlertsIntegration } from "../../../src/integrations/build-alerts";
import { ADMIN, apiAs, grantDefaults, repoBase, sessionFor, type ApiClient } from "../../web/support";
import { AlertsBed, ROUTING_KEY, WEBHOOK_SECRET } from "./support";
import { PAGERDUTY_EVENTS_URL } from "../../../src/integrations/build-alerts/settings";

/** Each tenant-configurable URL of build alerts, as the settings page saves it. */
const FIELDS = {
  webhookUrl: (url: string) => ({ values: { enabled: true, webhookEnabled: true, webhookUrl: url }, secrets: { webhookSecret: WEBHOOK_SECRET } }),
  pagerdutyEventsUrl: (url: string) => ({ values: { enabled: true, pagerdutyEnabled: true, pagerdutyEventsUrl: url }, secrets: { pagerdutyRoutingKey: ROUTING_KEY } }),
  alertopsUrl: (url: string) => ({ values: { enabled: true, alertopsEnabled: true }, secrets: { alertopsUrl: url } }),
} as const;

// Issue 13.2: in production a repository admin could point a target at a name resolving to 127.0.0.1 and
// read the internal service's reply in "Send test alert". The outbound policy is closed in every mode.
for (const mode of ["production", "development"]) {
  describe(`build alerts: outbound URLs stay outside (NODE_ENV=${mode})`, () => {
    let h: Harness;
    let api: ApiClient;
    let internal: InternalService;
    const dns = new FakeDns();

    before(async () => {
      internal = await InternalService.start();
      dns.set("internal.example.test", "127.0.0.1").set("public.example.test", PUBLIC_ADDRESS);
      h = await Harness.start({ integrations: [buildAlertsIntegration], env: { NODE_ENV: mode, OUTBOUND_ALLOW_LOOPBACK: "false" }, dnsLookup: dns.lookup });
      grantDefaults(h);
      api = apiAs(h, await sessionFor(h, ADMIN));
    });
    after(async () => {
      await h.close();
      await internal.close();
    });

    const save = (field: keyof typeof FIELDS, url: string) => api.put(`${repoBase(h)}/settings/build-alerts`, FIELDS[field](url));

    for (const field of Object.keys(FIELDS) as Array<keyof typeof FIELDS>) {
      it(`${field}: refused when saved (400 naming the field), nothing stored`, async () => {
        for (const [url, reason] of [
          [`https://internal.example.test:${internal.port}/x`, /resolves to a loopback address/],
          [`https://[::]:${internal.port}/x`, /is a unspecified address/],
          [`https://169.254.169.254/latest/meta-data/`, /is a linkLocal address/],
          [`http://127.0.0.1:${internal.port}/x`, /must use https/],
          ["http://public.example.test/x", /must use https/],
        ] as const) {
          const res = await save(field, url);
          assert.equal(res.status, 400, `${url}: ${res.text}`);
          const issues = res.json<{ details: { issues: Array<{ path: string; message: string }> } }>().details.issues;
          assert.equal(issues[0]!.path, field);
          assert.match(issues[0]!.message, reason);
        }
        const stored = await h.services.settings.get(h.tenant.installation.id, h.repo.uuid, "build-alerts");
        assert.equal(stored.enabled, false, "nothing was saved");
        assert.equal(internal.connections, 0);
      });

      it(`${field}: a name rebinding to loopback after the save is refused at connect time by "Send test alert"`, async () => {
        const host = `rebind-${field.toLowerCase()}.example.test`;
        dns.rebind(host, PUBLIC_ADDRESS, "127.0.0.1");
        const saved = await save(field, `https://${host}:${internal.port}/x`);
        assert.equal(saved.status, 200, saved.text);
        const res = await api.post(`${repoBase(h)}/settings/build-alerts/actions/testAlert`);
        assert.equal(res.status, 200);
        const out = res.json<{ ok: boolean; message: string }>();
        assert.equal(out.ok, false);
        assert.match(out.message, /refused by the outbound policy: the host resolves to a loopback address/);
        assert.doesNotMatch(out.message, new RegExp(InternalService.SECRET));
        assert.equal(internal.connections, 0, "the internal service saw no connection");
        await h.services.settings.update(h.tenant.installation.id, h.repo, "build-alerts", { values: { enabled: false, webhookEnabled: false, pagerdutyEnabled: false, alertopsEnabled: false } }, "test");
      });
    }
  });
}

describe("build alerts: a failed build's notification to a target rebinding to loopback", () => {
  it("ends dead at once with the refusal, and nothing reaches the internal service", async () => {
    const internal = await InternalService.start();
    const dns = new FakeDns().rebind("hooks.example.test", PUBLIC_ADDRESS, "127.0.0.1");
    const bed = await AlertsBed.start({ env: { OUTBOUND_ALLOW_LOOPBACK: "false" }, dnsLookup: dns.lookup });
    try {
      await bed.configure(
        { alertopsEnabled: false, pagerdutyEnabled: false, pagerdutyEventsUrl: PAGERDUTY_EVENTS_URL, webhookUrl: `https://hooks.example.test:${internal.port}/relay` },
        { alertopsUrl: null },
      );
      await bed.send("FAILED", { at: 1 });
      const [notify] = await bed.settled("build-alerts.notify", 1);
      assert.equal(notify!.status, "dead");
      assert.equal(notify!.attempts, 1, "no retry can fix a refused address");
      assert.match(notify!.lastError ?? "", /refused by the outbound policy: the host resolves to a loopback address/);
      assert.equal(internal.connections, 0);
    } finally {
      await bed.close();
      await internal.close();
    }
  });
});
