import assert from "node:assert/strict";
import { ProtonTemplateVersion } from "../../../src/integrations/proton/models";
import { SettingsValidationError } from "../../../src/settings/service";
import { RepoSettingsRecord } from "../../../src/models";
import { bitbucketArchive, environmentTemplate } from "./archives";
import { historyOf, newCommit, push, settledSync, startWorld, type ProtonWorld } from "./setup";
import { ADMIN, apiAs, grantDefaults, repoBase, sessionFor, STRANGER } from "../../web/support";

describe("Proton sync: retries, settings, history", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let w: ProtonWorld;
  before(async () => {
    w = await startWorld({ branches: ["main", "release/*"] });
  });
  after(async () => {
    await w?.close();
  });

  const archive = async (commit: string, files: Record<string, string>) => {
    w.h.fake.setArchive("acme", "widgets", commit, await bitbucketArchive(commit, files));
  };

  it("retries a throttled Proton without downloading or uploading the archive again", async () => {
    const commit = newCommit();
    await archive(commit, environmentTemplate("throttled-env/v1"));
    w.proton.inject({ operation: "CreateEnvironmentTemplateVersion", type: "com.amazonaws.proton#ThrottlingException", status: 429, times: 3 });
    await push(w, commit, "release/2.0");
    const job = await settledSync(commit);
    assert.equal(job.status, "done", job.lastError ?? "");
    assert.equal(job.attempts, 2);
    assert.equal(w.h.fake.callsTo("GET", new RegExp(`/get/${commit}\\.tar\\.gz$`)).length, 1, "the archive was fetched once");
    assert.equal(w.s3.requests.filter((r) => r.path.endsWith(`/${commit}.tar.gz`) && r.method === "PUT").length, 1, "the archive was uploaded once");
    const versions = w.proton.template("environment", "throttled-env")!.versions;
    assert.deepEqual(versions.map((v) => `${v.major}.${v.minor}`), ["1.0"], "registered once");
    const sync = await historyOf(commit);
    assert.equal(sync.outcome, "synced");
    assert.equal(sync.branch, "release/2.0", "globs select branches");
  });

  it("selects a branch named in another Unicode form than the filter (NFC filter, NFD push; issue 15.10)", async () => {
    const { installation } = w.h.tenant;
    const repo = { uuid: w.h.repo.uuid, fullName: w.h.repo.fullName };
    await w.h.services.settings.update(installation.id, repo, "proton", { values: { branches: ["main", "feature/\u00fcber-*"] } }, "test");
    try {
      const commit = newCommit();
      await archive(commit, environmentTemplate("unicode-env/v1"));
      const nfd = "feature/u\u0308ber-login";
      await push(w, commit, nfd);
      const job = await settledSync(commit);
      assert.equal(job.status, "done", job.lastError ?? "");
      assert.equal((await historyOf(commit)).branch, nfd, "the branch is kept as received");
    } finally {
      await w.h.services.settings.update(installation.id, repo, "proton", { values: { branches: ["main", "release/*"] } }, "test");
    }
  });

  it("encrypts with SSE-KMS and the configured key when one is set", async () => {
    const { installation } = w.h.tenant;
    const kmsKeyId = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    await w.h.services.settings.update(installation.id, { uuid: w.h.repo.uuid, fullName: w.h.repo.fullName }, "proton", { values: { kmsKeyId } }, "test");
    try {
      const commit = newCommit();
      await archive(commit, environmentTemplate("kms-env/v1"));
      await push(w, commit);
      const job = await settledSync(commit);
      assert.equal(job.status, "done", job.lastError ?? "");
      const creates = w.s3.requests.filter((r) => r.path.includes(commit) || r.path.includes("kms-env"));
      const writes = creates.filter((r) => (r.method === "PUT" && !r.query.has("partNumber")) || (r.method === "POST" && r.query.has("uploads")));
      assert.ok(writes.length >= 2, "the archive and the bundle were written");
      for (const r of writes) {
        assert.equal(r.headers["x-amz-server-side-encryption"], "aws:kms");
        assert.equal(r.headers["x-amz-server-side-encryption-aws-kms-key-id"], kmsKeyId);
      }
    } finally {
      await w.h.services.settings.update(installation.id, { uuid: w.h.repo.uuid, fullName: w.h.repo.fullName }, "proton", { values: { kmsKeyId: "" } }, "test");
    }
  });

  it("serves the sync history to readers of the repository, and refuses others", async () => {
    grantDefaults(w.h);
    const api = apiAs(w.h, await sessionFor(w.h, ADMIN));
    const res = await api.get(`${repoBase(w.h)}/proton/syncs?limit=5`);
    assert.equal(res.status, 200, res.text);
    const body = res.json<{ syncs: Array<{ commit: string; outcome: string; s3: { key: string; sizeBytes: number }; versions: unknown[] }> }>();
    assert.ok(body.syncs.length >= 1);
    assert.equal(body.syncs[0]!.outcome, "synced");
    assert.match(body.syncs[0]!.s3.key, /^relay\/widgets\/[0-9a-f]{40}\.tar\.gz$/);
    assert.ok(body.syncs[0]!.s3.sizeBytes > 0);
    assert.equal((await api.get(`${repoBase(w.h)}/proton/syncs?limit=500`)).status, 400);
    const stranger = apiAs(w.h, await sessionFor(w.h, STRANGER));
    assert.equal((await stranger.get(`${repoBase(w.h)}/proton/syncs`)).status, 403);
  });

  it("refuses bad settings with a reason and stores nothing", async () => {
    const { installation } = w.h.tenant;
    const repo = { uuid: "{99999999-2222-4333-8444-555555555555}", fullName: "acme/other" };
    for (const values of [
      { enabled: true, bucket: "" },
      { bucket: "Not_A_Bucket" },
      { prefix: "../escape" },
      { roleArn: "arn:aws:s3:::bucket" },
      { region: "moon-1" },
      { unknownField: 1 },
    ]) {
      await assert.rejects(w.h.services.settings.update(installation.id, repo, "proton", { values }, "test"), SettingsValidationError, JSON.stringify(values));
    }
    assert.equal(await RepoSettingsRecord.count({ where: { repositoryUuid: repo.uuid } }), 0);
  });

  it("with Proton registration off, archives and publishes the event only", async () => {
    const { installation } = w.h.tenant;
    await w.h.services.settings.update(installation.id, { uuid: w.h.repo.uuid }, "proton", { values: { registerWithProton: false } }, "test");
    const before = w.proton.calls.length;
    const commit = newCommit();
    await archive(commit, environmentTemplate("quiet-env/v1"));
    await push(w, commit);
    assert.equal((await settledSync(commit)).status, "done");
    assert.equal(w.proton.calls.length, before, "Proton was not called");
    const v = await ProtonTemplateVersion.findOne({ where: { template: "quiet-env" } });
    assert.equal(v?.protonState, "skipped");
    assert.equal(v?.eventState, "done");
    assert.equal((await historyOf(commit)).outcome, "synced");
    await w.h.services.settings.update(installation.id, { uuid: w.h.repo.uuid }, "proton", { values: { registerWithProton: true } }, "test");
  });

  it("ends as 'Proton unavailable' when the endpoint is gone, after the SDK's own retries only", async () => {
    await w.proton.endOfSupport("endpoint-removed");
    const commit = newCommit();
    await archive(commit, { ...environmentTemplate("gone-env/v1"), ...environmentTemplate("gone-env/v2", "2") });
    await push(w, commit);
    const job = await settledSync(commit);
    assert.equal(job.status, "done");
    assert.equal(job.attempts, 1);
    const sync = await historyOf(commit);
    assert.equal(sync.outcome, "archived_proton_unavailable");
    assert.match(sync.reason ?? "", /Proton unavailable: .*unreachable/);
    const rows = await ProtonTemplateVersion.findAll({ where: { template: "gone-env" } });
    assert.deepEqual(rows.map((r) => r.protonState).sort(), ["unavailable", "unavailable"]);
  });
});
