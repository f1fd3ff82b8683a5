import assert from "node:assert/strict";
import { Harness } from "../helpers/harness";
import { Installation } from "../../src/models";

/**
 * The installation cache (src/core/installations.ts) shares one lookup between the requests that
 * arrive while it runs: when an entry has run out under load, concurrent webhooks read the row (and
 * decrypt the secret) once, not once each.
 */
describe("Installation cache: concurrent lookups share one read", () => {
  let h: Harness;
  let reads = 0;
  const count = () => {
    reads++;
  };
  beforeEach(async () => {
    h = await Harness.start({ integrations: [], env: { WORKER_ENABLED: "false" } });
    Installation.addHook("beforeFind", "count-reads", count);
  });
  afterEach(async () => {
    Installation.removeHook("beforeFind", "count-reads");
    await h.close();
  });

  it("20 concurrent lookups of a tenant, its secret and its id after the cache was cleared: one read each", async () => {
    const { installations } = h.services;
    const { clientKey, installation } = h.tenant;
    installations.forget();
    reads = 0;
    const found = await Promise.all(Array.from({ length: 20 }, () => installations.findByClientKey("connect", clientKey)));
    assert.ok(found.every((f) => f?.id === installation.id));
    assert.equal(reads, 1, "one read of the installation row by client key");
    reads = 0;
    const secrets = await Promise.all(Array.from({ length: 20 }, () => installations.secret(installation.id, "sharedSecret")));
    assert.ok(secrets.every((s) => s === h.tenant.sharedSecret));
    assert.equal(reads, 1, "one read (and decryption) of the secrets");
    reads = 0;
    await Promise.all(Array.from({ length: 20 }, () => installations.get(installation.id)));
    assert.equal(reads, 1, "one read by id");
  });

  it("an unknown client key is not cached: an installation made afterwards is found at once", async () => {
    const { installations } = h.services;
    assert.deepEqual(await Promise.all([installations.findByClientKey("connect", "nobody"), installations.findByClientKey("connect", "nobody")]), [null, null]);
    const t = await h.install({ clientKey: "nobody", workspace: { uuid: "{nobody-ws}", slug: "nobody" }, repo: false });
    assert.equal((await installations.findByClientKey("connect", "nobody"))?.id, t.installation.id);
  });
});
