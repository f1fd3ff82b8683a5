import assert from "node:assert/strict";
import { z } from "zod";
import { QueryTypes } from "sequelize";
import { Harness } from "../helpers/harness";
import { defineIntegration, type IntegrationId } from "../../src/settings/registry";
import { SettingsValidationError } from "../../src/settings/service";

const TestSettings = z
  .object({
    enabled: z.boolean().default(false),
    channel: z.string().min(1).max(50).default("general"),
    threshold: z.number().int().min(1).max(10).default(2),
    token: z.string().min(8).optional(),
  })
  .strict();

defineIntegration({ id: "core-settings-test", title: "Test", schema: TestSettings, secretFields: ["token"] });
const ID = "core-settings-test" as IntegrationId;

describe("Per-repository settings", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ integrations: [] });
  });
  afterEach(() => h.close());

  const repo = () => ({ uuid: h.repo.uuid, fullName: h.repo.fullName });

  it("applies defaults when nothing is stored", async () => {
    const doc = (await h.services.settings.get(h.tenant.installation.id, h.repo.uuid, ID)) as unknown as z.infer<typeof TestSettings>;
    assert.deepEqual(doc, { enabled: false, channel: "general", threshold: 2 });
  });

  it("encrypts secret fields at rest and never returns them in the public view", async () => {
    const view = await h.services.settings.update(h.tenant.installation.id, repo(), ID, { values: { enabled: true }, secrets: { token: "xoxb-very-secret-token" } }, "acct-1");
    assert.deepEqual(view.secrets, { token: { set: true } });
    assert.ok(!JSON.stringify(view).includes("xoxb"));
    const rows = await h.services.db.sequelize.query<{ documents: string; secrets_enc: string }>("SELECT documents, secrets_enc FROM repo_settings", { type: QueryTypes.SELECT });
    assert.ok(!rows[0]!.documents.includes("xoxb") && !rows[0]!.secrets_enc.includes("xoxb"));
    const full = (await h.services.settings.get(h.tenant.installation.id, h.repo.uuid, ID)) as unknown as z.infer<typeof TestSettings>;
    assert.equal(full.token, "xoxb-very-secret-token");
    // Absent keeps, null clears.
    await h.services.settings.update(h.tenant.installation.id, repo(), ID, { values: { channel: "ops" } }, "acct-1");
    assert.equal(((await h.services.settings.get(h.tenant.installation.id, h.repo.uuid, ID)) as unknown as { token?: string }).token, "xoxb-very-secret-token");
    await h.services.settings.update(h.tenant.installation.id, repo(), ID, { secrets: { token: null } }, "acct-1");
    assert.equal(((await h.services.settings.get(h.tenant.installation.id, h.repo.uuid, ID)) as unknown as { token?: string }).token, undefined);
  });

  it("rejects invalid values with field-level reasons and changes nothing", async () => {
    await h.services.settings.update(h.tenant.installation.id, repo(), ID, { values: { threshold: 3 } }, "a");
    await assert.rejects(
      h.services.settings.update(h.tenant.installation.id, repo(), ID, { values: { threshold: 99, channel: "" } }, "a"),
      (err: unknown) => err instanceof SettingsValidationError && err.issues.some((i) => i.path === "threshold") && err.issues.some((i) => i.path === "channel"),
    );
    await assert.rejects(h.services.settings.update(h.tenant.installation.id, repo(), ID, { values: { surprise: 1 } }, "a"), SettingsValidationError);
    await assert.rejects(h.services.settings.update(h.tenant.installation.id, repo(), ID, { values: { token: "in-the-clear" } }, "a"), SettingsValidationError);
    const doc = (await h.services.settings.get(h.tenant.installation.id, h.repo.uuid, ID)) as unknown as z.infer<typeof TestSettings>;
    assert.equal(doc.threshold, 3);
  });

  it("records who changed which fields, and saving the same values again records nothing", async () => {
    const { SettingsChange } = await import("../../src/models");
    await h.services.settings.update(h.tenant.installation.id, repo(), ID, { values: { enabled: true, channel: "ops" } }, "acct-admin");
    await h.services.settings.update(h.tenant.installation.id, repo(), ID, { values: { enabled: true, channel: "ops" } }, "acct-admin");
    const changes = await SettingsChange.findAll();
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.actor, "acct-admin");
    assert.deepEqual(JSON.parse(changes[0]!.fields).sort(), ["channel", "enabled"]);
  });

  it("keeps one workspace's settings out of another's reach", async () => {
    await h.services.settings.update(h.tenant.installation.id, repo(), ID, { values: { enabled: true }, secrets: { token: "tenant-a-token" } }, "a");
    const b = await h.install({ workspace: { uuid: "{b-ws}", slug: "beta" }, repo: false });
    const seenByB = (await h.services.settings.get(b.installation.id, h.repo.uuid, ID)) as unknown as z.infer<typeof TestSettings>;
    assert.equal(seenByB.enabled, false);
    assert.equal(seenByB.token, undefined);
  });
});
