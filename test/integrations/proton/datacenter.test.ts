import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { ingest } from "../../../src/pipeline/ingest";
import { dataCenterInstanceId, mintDataCenterRepositoryId } from "../../../src/bitbucket/repository-id";
import { dataCenterClientKey } from "../../../src/datacenter/installations";
import { externalIdFor } from "../../../src/aws/external-id";
import { keyProjectOf } from "../../../src/integrations/proton/s3";
import { ProtonSyncJobSchema } from "../../../src/integrations/proton/jobs";
import type { InstallationView } from "../../../src/core/installations";
import { fakeDataCenter, type DataCenterSetup } from "../../helpers/datacenter";
import { setDcTree } from "../../fakes/datacenter/routes/archive";
import { environmentTemplate } from "./archives";
import { BUCKET, ROLE, historyOf, newCommit, settledSync, startWorld, type ProtonWorld } from "./setup";

describe("Proton / S3 on Data Center: key layout and job payload", () => {
  it("the default <project> key part: the slug on Cloud (unchanged), PROJECT/slug on a Data Center instance", () => {
    assert.equal(keyProjectOf({ workspaceUuid: "{1111}" }, "acme/widgets"), "widgets");
    assert.equal(keyProjectOf({ workspaceUuid: null }, "PROJ/widgets"), "PROJ/widgets");
    assert.equal(keyProjectOf({ workspaceUuid: null }, "~JDOE/dotfiles"), "~JDOE/dotfiles");
  });

  it("a sync job queued before the upgrade ({workspace, slug}) still parses; the new one is host-neutral", () => {
    const commit = "a".repeat(40);
    assert.deepEqual(ProtonSyncJobSchema.parse({ workspace: "acme", slug: "widgets", commit, branch: "main" }), {
      repository: { id: "", fullName: "acme/widgets" },
      commit,
      branch: "main",
    });
    const dc = { repository: { id: "dc:0123456789abcdef:7", fullName: "PROJ/widgets" }, commit, branch: "main" };
    assert.deepEqual(ProtonSyncJobSchema.parse(dc), dc);
    assert.throws(() => ProtonSyncJobSchema.parse({ ...dc, repository: { id: "x", fullName: "no-slash" } }));
  });
});

describe("Proton / S3 on Data Center: a push's commit archived under PROJ/slug", function () {
  this.timeout(60_000);
  let dc: DataCenterSetup;
  let w: ProtonWorld;
  let installation: InstallationView;
  let repoId: string;

  before(async () => {
    dc = await fakeDataCenter();
    w = await startWorld({}, dc.env);
    installation = (await w.h.services.installations.findByClientKey("datacenter", dataCenterClientKey(dataCenterInstanceId(dc.fake.baseUrl))))!;
    w.sts.allowRole(ROLE, await externalIdFor(w.h.services.installations, installation.id));
    repoId = mintDataCenterRepositoryId(dc.fake.baseUrl, dc.repo.id);
    await w.h.services.settings.update(
      installation.id,
      { uuid: repoId, fullName: "PROJ/widgets" },
      "proton",
      { values: { enabled: true, bucket: BUCKET, prefix: "relay", region: "us-east-1", roleArn: ROLE, registerWithProton: false } },
      "test",
    );
  });

  after(async () => {
    await w?.close();
    await dc?.fake.stop();
  });

  it("the push event as the DC door maps repo:refs_changed: archive at relay/PROJ/widgets/<sha>.tar.gz, bundles beside it", async () => {
    const commit = newCommit();
    // The commit's tree on the fake DC: the real DcBitbucketApi streams its archive.
    setDcTree(dc.fake, dc.repo, commit, environmentTemplate("vpc-env/v1"));
    // The core's push event for a DC repository (h16hooks' mapping: id dc:…, full_name PROJ/slug, no mainbranch).
    await ingest(w.h.services, {
      installationId: installation.id,
      source: "datacenter",
      eventKey: "repo:push",
      idempotencyKey: `dc-${commit}`,
      repository: { uuid: repoId, fullName: "PROJ/widgets" },
      payload: {
        repository: { uuid: repoId, full_name: "PROJ/widgets", name: "widgets" },
        push: { changes: [{ old: null, new: { type: "branch", name: "main", target: { hash: commit } }, created: true }] },
      },
    });
    const job = await settledSync(commit);
    assert.equal(job.status, "done", job.lastError ?? "");
    assert.deepEqual(JSON.parse(job.payload!), { repository: { id: repoId, fullName: "PROJ/widgets" }, commit, branch: "main" });
    const key = `relay/PROJ/widgets/${commit}.tar.gz`;
    const tar = gunzipSync(await w.s3.object(BUCKET, key)).toString("latin1");
    assert.ok(tar.includes(`proj-widgets-${commit.slice(0, 12)}/vpc-env/v1/schema/schema.yaml`), "DC's archive under one top folder");
    assert.ok(dc.fake.calls.some((c) => c.method === "GET" && c.path === "/rest/api/latest/projects/PROJ/repos/widgets/archive"));
    const sync = await historyOf(commit);
    assert.equal(sync.s3Key, key);
    assert.equal(sync.repositoryUuid, repoId);
    const versions = JSON.parse(sync.versions!) as Array<{ bundleKey: string }>;
    assert.match(versions[0]!.bundleKey, /^relay\/PROJ\/widgets\/bundles\/vpc-env\/v1\/[0-9a-f]{64}\.tar\.gz$/);
  });
});
