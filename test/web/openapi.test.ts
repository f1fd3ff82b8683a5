import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import YAML from "yaml";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { pushPayload } from "../helpers/echo-handler";
import { Job } from "../../src/models";
import { ADMIN, TEST_ID, WRITER, apiAs, grantDefaults, registerTestHandler, repoBase, sessionFor } from "./support";

const SPEC_FILE = path.resolve(__dirname, "../../docs/openapi.yaml");

/** docs/openapi.yaml describes what the API really answers: every response is checked against it. */
describe("OpenAPI document of the page API", () => {
  const spec = YAML.parse(fs.readFileSync(SPEC_FILE, "utf8")) as { paths: Record<string, Record<string, unknown>> };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(spec, "openapi");
  const check = (schema: string, body: unknown) => {
    const validate = ajv.getSchema(`openapi#/components/schemas/${schema}`);
    assert.ok(validate, `schema ${schema} exists`);
    const ok = validate(body);
    assert.ok(ok, `${schema}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`);
  };

  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ integrations: [], registerHandlers: (r) => registerTestHandler(r) });
    grantDefaults(h);
  });
  afterEach(() => h.close());

  it("documents every route the settings and activity API serve", () => {
    const documented = Object.entries(spec.paths).flatMap(([p, ops]) => Object.keys(ops).filter((k) => k !== "parameters").map((m) => `${m.toUpperCase()} ${p}`));
    for (const op of [
      "GET /repositories/{repoUuid}/settings",
      "GET /repositories/{repoUuid}/settings/changes",
      "PUT /repositories/{repoUuid}/settings/{integration}",
      "POST /repositories/{repoUuid}/settings/{integration}/actions/{action}",
      "GET /repositories/{repoUuid}/settings/{integration}/setup",
      "GET /repositories/{repoUuid}/activity",
      "POST /repositories/{repoUuid}/activity/jobs/{jobId}/replay",
    ]) {
      assert.ok(documented.includes(op), `${op} is documented`);
    }
  });

  it("matches the real answers: settings (admin and read-only), writes, errors, activity and replay", async () => {
    h.fake.inject({ method: "POST", path: /statuses\/build$/, status: 403, times: 1 });
    const base = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName });
    await h.webhook("repo:push", pushPayload(base, "d".repeat(40)));
    const dead = await waitFor(() => Job.findOne({ where: { status: "dead" } }), "dead job");

    const admin = apiAs(h, await sessionFor(h, ADMIN));
    check("SettingsPage", (await admin.get(`${repoBase(h)}/settings`)).json());
    const put = await admin.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { enabled: true }, secrets: { apiToken: "a-long-enough-token" } });
    check("SettingsCard", put.json());
    check("SetupView", (await admin.get(`${repoBase(h)}/settings/${TEST_ID}/setup`)).json());
    const bad = await admin.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { threshold: 0 } });
    assert.equal(bad.status, 400);
    check("Error", bad.json());
    const changes = (await admin.get(`${repoBase(h)}/settings/changes`)).json<{ values: unknown[] }>();
    for (const c of changes.values) check("SettingsChange", c);
    const replay = await admin.post(`${repoBase(h)}/activity/jobs/${dead.id}/replay`);
    assert.equal(replay.status, 201);
    check("ReplayResult", replay.json());
    await waitFor(async () => (await Job.count({ where: { replayOf: dead.id, status: "done" } })) === 1, "replay done");
    const activity = (await admin.get(`${repoBase(h)}/activity`)).json<{ items: Array<{ jobs: unknown[] }> }>();
    assert.ok(activity.items[0]!.jobs.length >= 2);
    check("ActivityPage", activity);

    const reader = apiAs(h, await sessionFor(h, WRITER));
    check("SettingsPage", (await reader.get(`${repoBase(h)}/settings`)).json());
    const refused = await reader.put(`${repoBase(h)}/settings/${TEST_ID}`, { values: { enabled: false } });
    assert.equal(refused.status, 403);
    check("Error", refused.json());
  });
});
