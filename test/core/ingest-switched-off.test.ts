import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Harness } from "../helpers/harness";
import { bitbucketWebhook, forRepository } from "../helpers/fixtures";
import { pushPayload } from "../helpers/echo-handler";
import { Delivery, Job } from "../../src/models";
import { TEST_ID } from "../web/support";
import type { IntegrationId } from "../../src/settings/registry";

const SHA = "2222222222222222222222222222222222222222";
const GATED = `${TEST_ID}.gated`;
const ALWAYS = "core.always";

/**
 * Ingest creates no job for a handler registered with `requiresEnabled` where its integration is
 * switched off for the event's repository (such a job could only end "ignored"); the delivery is
 * stored all the same, and handlers without `requiresEnabled` still get theirs. On and off follow
 * the settings overlay: the repository's own switch, else the workspace default.
 */
describe("Ingest: no jobs for integrations switched off in the repository", () => {
  let h: Harness;
  let push: Record<string, unknown>;
  beforeEach(async () => {
    h = await Harness.start({
      integrations: [],
      env: { WORKER_ENABLED: "false" },
      registerHandlers: (r) => {
        r.on("repo:push", { name: GATED, integration: TEST_ID as IntegrationId, requiresEnabled: true }, async () => ({ done: {} }));
        r.on("repo:push", { name: ALWAYS, integration: "core" }, async () => ({ done: {} }));
      },
    });
    push = pushPayload(forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName }), SHA);
  });
  afterEach(() => h.close());

  const id = () => h.tenant.installation.id;
  const repo = () => ({ uuid: h.repo.uuid, fullName: h.repo.fullName });
  /** Sends a push; returns the handlers its delivery got jobs for (sorted). */
  const jobsOfPush = async (): Promise<string[]> => {
    const requestUuid = randomUUID();
    assert.equal((await h.webhook("repo:push", push, { requestUuid })).status, 204);
    const delivery = await Delivery.findOne({ where: { idempotencyKey: requestUuid } });
    assert.ok(delivery, "the delivery is stored whatever is switched on");
    return (await Job.findAll({ where: { deliveryId: delivery.id } })).map((j) => j.handler).sort();
  };

  it("off by default: only the handlers that do not require the integration get a job", async () => {
    assert.deepEqual(await jobsOfPush(), [ALWAYS]);
  });

  it("switched on for the repository: a job; switched off again: none", async () => {
    await h.services.settings.update(id(), repo(), TEST_ID, { values: { enabled: true } }, null);
    assert.deepEqual(await jobsOfPush(), [ALWAYS, GATED]);
    await h.services.settings.update(id(), repo(), TEST_ID, { values: { enabled: false } }, null);
    assert.deepEqual(await jobsOfPush(), [ALWAYS]);
  });

  it("follows the workspace default unless the repository sets its own switch", async () => {
    await h.services.settings.updateDefaults(id(), TEST_ID, { values: { enabled: true } }, null);
    assert.deepEqual(await jobsOfPush(), [ALWAYS, GATED], "inherited from the workspace default");
    await h.services.settings.update(id(), repo(), TEST_ID, { values: { enabled: false } }, null);
    assert.deepEqual(await jobsOfPush(), [ALWAYS], "the repository's own switch wins");
    await h.services.settings.update(id(), repo(), TEST_ID, { inherit: ["enabled"] }, null);
    assert.deepEqual(await jobsOfPush(), [ALWAYS, GATED], "inherits again");
  });

  it("another repository's switch does not count", async () => {
    const other = { uuid: "{33333333-0000-4000-8000-000000000003}", fullName: `${h.tenant.workspace.slug}/other` };
    await h.services.settings.update(id(), other, TEST_ID, { values: { enabled: true } }, null);
    assert.deepEqual(await jobsOfPush(), [ALWAYS]);
  });
});
