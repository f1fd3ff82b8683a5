import assert from "node:assert/strict";
import fc from "fast-check";
import { Harness } from "../helpers/harness";
import { Delivery, Installation, Job } from "../../src/models";
import { INTEGRATIONS } from "../../src/integrations";
import { ensureApiKey, ensureWebhookToken } from "../../src/integrations/buildkite/credentials";
import { listEndpoints, type EndpointList, type InboundEndpoint } from "./inbound-endpoints";
import { applyMutation, mutationArb } from "./mutations";

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const MAX_BODY_BYTES = 64 * 1024;
/** Every shipped integration, without periodic background work (not under test here). */
const integrations = INTEGRATIONS.map((i) => ({ ...i, background: undefined }));

async function rowCounts(): Promise<string> {
  return JSON.stringify({ deliveries: await Delivery.count(), jobs: await Job.count(), installations: await Installation.count() });
}

/**
 * Property-based fuzzing of every inbound endpoint (Connect lifecycle, every Connect webhook URL,
 * every /inbound route the integrations mount): malformed, truncated, oversized and wrongly typed
 * bodies (correctly signed where the sender signs), and wrong content types, charsets, encodings,
 * credentials and event keys. Always a 4xx with a short reason, never a 5xx, never a stored row.
 */
describe("Resilience: fuzzing every inbound endpoint", function () {
  this.timeout(600_000); // a generous bound on a loaded machine
  let h: Harness;
  let list: EndpointList;

  before(async () => {
    h = await Harness.start({ integrations, env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
    const id = h.tenant.installation.id;
    list = listEndpoints(h, integrations, { apiKey: await ensureApiKey(h.services, id), webhookToken: await ensureWebhookToken(h.services, id) });
  });
  after(() => h.close());

  async function fuzz(endpoint: InboundEndpoint): Promise<void> {
    const before = await rowCounts();
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(mutationArb(endpoint), async (m) => {
        const req = applyMutation(endpoint, m, MAX_BODY_BYTES);
        const res = await h.fetch("POST", endpoint.path, req.body, req.headers);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        assert.ok(res.status >= 400 && res.status < 500, `${endpoint.name} ${m.kind} → ${res.status} ${res.text.slice(0, 200)}`);
        if (res.text) assert.equal(typeof res.json<{ error: unknown }>().error, "string", "a short reason");
      }),
      { numRuns: RUNS },
    );
    assert.equal(await rowCounts(), before, `${endpoint.name}: nothing stored (statuses seen: ${JSON.stringify(Object.fromEntries(seen))})`);
    assert.equal((await h.get("/healthz")).status, 200, "the app is still up");
  }

  it("finds the endpoints: lifecycle, one webhook URL per event, the integrations' /inbound routes", () => {
    const names = list.endpoints.map((e) => e.name);
    assert.ok(names.includes("POST /connect/installed") && names.includes("POST /connect/uninstalled"));
    assert.ok(names.includes("POST /connect/webhooks/repo/push"));
    assert.ok(names.some((n) => n.startsWith("POST /inbound/")), `inbound routes found: ${names.filter((n) => n.includes("/inbound/")).join(", ")}`);
    assert.deepEqual(list.unknownInbound, [], "an /inbound route this suite cannot authenticate: describe it in inbound-endpoints.ts");
  });

  it("Connect lifecycle (/connect/installed unsigned first install, /connect/uninstalled signed)", async () => {
    for (const e of list.endpoints.filter((x) => x.path.startsWith("/connect/") && !x.path.includes("/webhooks/"))) await fuzz(e);
    assert.ok(await h.services.installations.findByClientKey("connect", h.tenant.clientKey), "the tenant is still installed");
  });

  it("every Connect webhook URL (JWT-signed, broken bodies and headers)", async () => {
    for (const e of list.endpoints.filter((x) => x.path.startsWith("/connect/webhooks/"))) await fuzz(e);
  });

  it("every /inbound route of the integrations (authenticated, broken bodies and headers)", async () => {
    for (const e of list.endpoints.filter((x) => x.path.startsWith("/inbound/"))) await fuzz(e);
  });

  it("the valid bodies the fuzzer breaks are accepted (the properties above test validation, not a dead route)", async () => {
    for (const e of list.endpoints.filter((x) => x.path !== "/connect/uninstalled")) {
      const raw = JSON.stringify(e.valid);
      const res = await h.fetch("POST", e.path, raw, { "content-type": "application/json", ...e.headers(raw) });
      assert.ok(res.status >= 200 && res.status < 300, `${e.name} accepts its valid body: ${res.status} ${res.text.slice(0, 200)}`);
    }
  });
});
