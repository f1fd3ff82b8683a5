import assert from "node:assert/strict";
import { integrationDefinition, type IntegrationPageContext } from "../../../src/settings/registry";
import { API_KEY_GRACE_MS, API_KEY_SECRET, rotateApiKey } from "../../../src/integrations/buildkite/credentials";
import { startBed, ebEvent, postEventBridge, type BuildkiteBed } from "./support";

describe("Buildkite: rotating the EventBridge API key keeps the previous key valid for a grace period", () => {
  let bed: BuildkiteBed;
  before(async () => {
    bed = await startBed();
  });
  after(() => bed.h.close());

  const id = () => bed.h.tenant.installation.id;
  const current = async () => (await bed.h.services.installations.secret(id(), API_KEY_SECRET))!;
  const definition = () => integrationDefinition("buildkite")!;
  async function ctx(): Promise<IntegrationPageContext<{ enabled: boolean }>> {
    return {
      services: bed.h.services,
      installation: bed.h.tenant.installation,
      repository: { uuid: bed.h.repo.uuid, fullName: bed.h.repo.fullName },
      settings: await bed.h.services.settings.get(id(), bed.h.repo.uuid, "buildkite"),
      actor: "{admin}",
    } as unknown as IntegrationPageContext<{ enabled: boolean }>;
  }
  const card = async () => new Map((await definition().copyValues!(await ctx())).map((v) => [v.label, v.value]));
  const GRACE_LABEL = "Previous API key still accepted until (UTC)";

  it("after 'Rotate EventBridge API key', events in flight with the old key are still accepted; the card shows until when", async () => {
    const old = await current();
    const before = Date.now();
    const result = await definition().actions!.rotateApiKey!.run(await ctx());
    assert.equal(result.ok, true, result.message);
    const fresh = await current();
    assert.notEqual(fresh, old);
    assert.equal((await postEventBridge(bed, ebEvent(), old)).status, 202, "the old key still works");
    assert.equal((await postEventBridge(bed, ebEvent(), fresh)).status, 202, "the new key works");
    const until = Date.parse((await card()).get(GRACE_LABEL)!);
    assert.ok(until >= before + API_KEY_GRACE_MS && until <= Date.now() + API_KEY_GRACE_MS, "the card shows the grace end");
    assert.match(result.message, new RegExp(`still accepted until ${new Date(until).toISOString()}`));
    assert.ok(!result.message.includes(old) && !result.message.includes(fresh), "no key in the message");
    assert.ok(
      bed.logs.find(/previous API key accepted \(grace period\)/),
      "a delivery with the previous key is logged, so that the admin sees the connection is not updated yet",
    );
    assert.ok(!JSON.stringify(bed.logs.lines).includes(old), "the key is never logged");
  });

  it("a second rotation leaves only the key just replaced valid", async () => {
    const first = await current();
    await definition().actions!.rotateApiKey!.run(await ctx());
    const second = await current();
    await definition().actions!.rotateApiKey!.run(await ctx());
    assert.equal((await postEventBridge(bed, ebEvent(), first)).status, 401);
    assert.equal((await postEventBridge(bed, ebEvent(), second)).status, 202);
  });

  it("after the grace period the previous key is refused with 401, and the card no longer shows it", async () => {
    const old = await current();
    await rotateApiKey(bed.h.services, id(), Date.now() - API_KEY_GRACE_MS - 1); // rotated a day ago
    assert.equal((await postEventBridge(bed, ebEvent(), old)).status, 401);
    assert.equal((await postEventBridge(bed, ebEvent(), await current())).status, 202);
    assert.equal((await card()).has(GRACE_LABEL), false);
  });

  it("'Stop accepting the previous API key now' ends the grace at once (a leaked key)", async () => {
    const old = await current();
    await definition().actions!.rotateApiKey!.run(await ctx());
    assert.equal((await postEventBridge(bed, ebEvent(), old)).status, 202);
    const res = await definition().actions!.endApiKeyGrace!.run(await ctx());
    assert.equal(res.ok, true);
    assert.match(res.message, /no longer accepted/);
    assert.equal((await postEventBridge(bed, ebEvent(), old)).status, 401);
    assert.equal((await card()).has(GRACE_LABEL), false);
  });

  it("redriving the dead-letter queue (docs/integrations/buildkite.md): a message body posted with the current key is stored once", async () => {
    // An EventBridge target DLQ message body is the event as the target would have received it.
    const dlqBody = JSON.stringify(ebEvent());
    const first = await postEventBridge(bed, JSON.parse(dlqBody), await current());
    assert.equal(first.status, 202);
    assert.equal(first.json<{ duplicate: boolean }>().duplicate, false);
    const again = await postEventBridge(bed, JSON.parse(dlqBody), await current());
    assert.equal(again.status, 202, "redriving twice is harmless");
    assert.equal(again.json<{ duplicate: boolean }>().duplicate, true);
  });
});
