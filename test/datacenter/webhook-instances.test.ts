import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { QueryTypes } from "sequelize";
import { dataCenterInstanceId, mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import type { InstallationView } from "../../src/core/installations";
import { dataCenterClientKey } from "../../src/datacenter/installations";
import { fakeDataCenter, type DataCenterSetup } from "../helpers/datacenter";
import { dcEventFor } from "../helpers/datacenter-events";
import { waitFor } from "../helpers/fixtures";
import { Harness } from "../helpers/harness";

/**
 * Two DC instances served by one app. Their repositories can have the same numeric id (each
 * instance counts from 1): a delivery from instance B's webhook that reaches instance A's receiver
 * is refused, whichever repository of A its id points at.
 */
describe("Data Center door: webhooks of two instances", function () {
  this.timeout(60_000);
  let a: DataCenterSetup;
  let b: DataCenterSetup;
  let h: Harness;
  let dir: string;
  const inst: Record<"a" | "b", InstallationView> = {} as never;

  before(async () => {
    [a, b] = await Promise.all([fakeDataCenter(), fakeDataCenter()]);
    assert.equal(a.repo.id, b.repo.id, "the same numeric repository id on both instances");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-dc2-"));
    const file = path.join(dir, "instances.json");
    const entry = (s: DataCenterSetup) => ({ baseUrl: s.fake.baseUrl, token: s.serviceToken, clientId: "c", clientSecret: "s" });
    fs.writeFileSync(file, JSON.stringify({ instances: [entry(a), entry(b)] }));
    h = await Harness.start({ install: false, env: { BITBUCKET_DC_INSTANCES_FILE: file } });
    for (const [k, s] of [["a", a], ["b", b]] as const) {
      inst[k] = (await h.services.installations.findByClientKey("datacenter", dataCenterClientKey(dataCenterInstanceId(s.fake.baseUrl))))!;
      await h.services.settings.update(inst[k].id, { uuid: mintDataCenterRepositoryId(s.fake.baseUrl, s.repo.id), fullName: "PROJ/widgets" }, "review-radar", { values: { enabled: true } }, "admin");
    }
    await waitFor(() => a.fake.webhooks.of(a.repo).length === 1 && b.fake.webhooks.of(b.repo).length === 1, "both webhooks");
    await h.drained();
  });
  after(async () => {
    await h?.close();
    await Promise.all([a?.fake.stop(), b?.fake.stop()]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("each instance's webhook delivers to its own receiver path, with its own secret", () => {
    const [ha] = a.fake.webhooks.of(a.repo);
    const [hb] = b.fake.webhooks.of(b.repo);
    assert.equal(ha!.url, `${h.url}/datacenter/${inst.a.hostScope}/webhook`);
    assert.equal(hb!.url, `${h.url}/datacenter/${inst.b.hostScope}/webhook`);
    assert.notEqual(ha!.configuration.secret, hb!.configuration.secret);
  });

  it("a delivery of instance B sent to instance A's receiver is 401 and nothing is stored; at B's own receiver it is stored under B", async () => {
    const count = async () => Number((await h.services.db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries", { type: QueryTypes.SELECT }))[0]!.n);
    const before = await count();
    const [hook] = b.fake.webhooks.of(b.repo);
    const own = hook!.url;
    hook!.url = `${h.url}/datacenter/${inst.a.hostScope}/webhook`;
    const body = dcEventFor(b.fake, b.repo, "repo-refs_changed.jenkins-fixture.json");
    const [misdirected] = await b.fake.deliver(b.repo, "repo:refs_changed", body);
    assert.equal(misdirected!.status, 401);
    assert.equal(JSON.parse(misdirected!.body).error, "invalid signature");
    assert.equal(await count(), before);
    hook!.url = own;
    const [delivered] = await b.fake.deliver(b.repo, "repo:refs_changed", body);
    assert.equal(delivered!.status, 204);
    const rows = await h.services.db.sequelize.query<{ installation_id: string; repository_uuid: string }>("SELECT installation_id, repository_uuid FROM deliveries WHERE idempotency_key = :k", {
      replacements: { k: delivered!.requestId },
      type: QueryTypes.SELECT,
    });
    assert.deepEqual(rows, [{ installation_id: inst.b.id, repository_uuid: mintDataCenterRepositoryId(b.fake.baseUrl, b.repo.id) }]);
    await h.drained();
  });
});
