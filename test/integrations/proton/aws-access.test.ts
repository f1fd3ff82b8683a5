import assert from "node:assert/strict";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import type { SettingsCheck } from "../../../src/settings/registry";
import { bitbucketArchive, environmentTemplate } from "./archives";
import { BUCKET, ROLE, historyOf, newCommit, push, settledSync, startWorld, type ProtonWorld } from "./setup";
import { ADMIN, apiAs, grantDefaults, repoBase, sessionFor, type ApiClient } from "../../web/support";

const FAR = "eu-archive";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/0a0b0c0d-1111-2222-3333-444455556666";

describe("Proton sync: AWS errors say what to fix, and the settings are checked when saved", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let w: ProtonWorld;
  let api: ApiClient;
  before(async () => {
    w = await startWorld();
    await w.s3.client().send(new CreateBucketCommand({ Bucket: FAR }));
    w.s3.placeBucket(FAR, "eu-west-1");
    grantDefaults(w.h);
    api = apiAs(w.h, await sessionFor(w.h, ADMIN));
  });
  after(async () => {
    await w?.close();
  });
  beforeEach(async () => {
    const values = { enabled: true, bucket: BUCKET, region: "us-east-1", roleArn: ROLE, kmsKeyId: "" };
    await w.h.services.settings.update(w.h.tenant.installation.id, { uuid: w.h.repo.uuid }, "proton", { values }, "test");
  });

  const save = async (values: Record<string, unknown>) => {
    const res = await api.put(`${repoBase(w.h)}/settings/proton`, { values });
    assert.equal(res.status, 200, res.text);
    return res.json<{ values: Record<string, unknown>; checks?: SettingsCheck[] }>();
  };
  const syncOf = async (files: Record<string, string>) => {
    const commit = newCommit();
    w.h.fake.setArchive("acme", "widgets", commit, await bitbucketArchive(commit, files));
    await push(w, commit);
    return { commit, job: await settledSync(commit) };
  };

  it("a sync to a bucket in another region fails at once, naming the bucket's region", async () => {
    await w.h.services.settings.update(w.h.tenant.installation.id, { uuid: w.h.repo.uuid }, "proton", { values: { bucket: FAR } }, "test");
    const { commit, job } = await syncOf(environmentTemplate("far-env/v1"));
    assert.equal(job.status, "dead");
    assert.equal(job.attempts, 1);
    const sync = await historyOf(commit);
    assert.equal(sync.outcome, "failed");
    assert.match(sync.reason ?? "", /^the bucket eu-archive is in eu-west-1, not in us-east-1: set the region to eu-west-1/);
    assert.match(job.lastError ?? "", /set the region to eu-west-1/);
  });

  it("a sync with a disabled KMS key fails at once, naming the key", async () => {
    w.s3.kmsKey(KEY, "disabled");
    await w.h.services.settings.update(w.h.tenant.installation.id, { uuid: w.h.repo.uuid }, "proton", { values: { kmsKeyId: KEY } }, "test");
    const { commit, job } = await syncOf(environmentTemplate("kms-env/v1"));
    assert.equal(job.status, "dead");
    assert.match((await historyOf(commit)).reason ?? "", new RegExp(`^${KEY.replace(/[/.]/g, "\\$&")} is disabled: enable it in KMS`));
    assert.deepEqual(await w.s3.keys(BUCKET, `relay/widgets/${commit}`), []);
  });

  it("saving good settings answers the checks: role assumed, bucket in its region, a test object written", async () => {
    w.s3.kmsKey(KEY, "enabled");
    const card = await save({ kmsKeyId: KEY, prefix: "relay" });
    assert.deepEqual(
      card.checks?.map((c) => [c.label, c.ok]),
      [
        ["IAM role", true],
        ["Bucket", true],
        ["Write", true],
      ],
    );
    assert.match(card.checks![2]!.message, /wrote s3:\/\/customer-archive\/relay\/widgets\/\.bitbucket-relay-check \(SSE-KMS with arn:aws:kms:/);
    const put = w.s3.requestsTo("PUT", /\/relay\/widgets\/\.bitbucket-relay-check$/).at(-1)!;
    assert.equal(put.headers["x-amz-server-side-encryption-aws-kms-key-id"], KEY, "the write check encrypts as the sync does");
  });

  it("a wrong region is saved (a warning, not a refusal) and the card says where the bucket is", async () => {
    const card = await save({ bucket: FAR });
    assert.equal(card.values.bucket, FAR, "the settings were saved");
    assert.deepEqual(card.checks?.map((c) => [c.label, c.ok]), [
      ["IAM role", true],
      ["Bucket", false],
    ]);
    assert.match(card.checks![1]!.message, /is in eu-west-1, not in us-east-1: set the region to eu-west-1/);
    const fixed = await save({ region: "eu-west-1" });
    assert.ok(fixed.checks?.every((c) => c.ok), JSON.stringify(fixed.checks));
  });

  it("a role that does not trust the app is reported with what to put in its trust policy; nothing else is tried", async () => {
    const before = w.s3.requests.length;
    const card = await save({ roleArn: "arn:aws:iam::123456789012:role/not-trusting" });
    assert.equal(card.checks?.length, 1);
    assert.equal(card.checks![0]!.ok, false);
    assert.match(card.checks![0]!.message, /could not assume the role arn:aws:iam::123456789012:role\/not-trusting: .*ExternalId shown on the settings page/);
    assert.equal(w.s3.requests.length, before, "S3 was not called");
  });

  it("'Check AWS access' runs the same checks on demand: a key the role may not use", async () => {
    w.s3.kmsKey(KEY, "denied");
    await w.h.services.settings.update(w.h.tenant.installation.id, { uuid: w.h.repo.uuid }, "proton", { values: { kmsKeyId: KEY } }, "test");
    const res = await api.post(`${repoBase(w.h)}/settings/proton/actions/checkAccess`);
    assert.equal(res.status, 200, res.text);
    const out = res.json<{ ok: boolean; message: string }>();
    assert.equal(out.ok, false);
    assert.match(out.message, /^Write: the role arn:aws:iam::123456789012:role\/relay-proton may not use arn:aws:kms:.*allow kms:GenerateDataKey/);
  });

  it("nothing is checked while the sync is off", async () => {
    const before = w.sts.calls.length;
    const card = await save({ enabled: false });
    assert.deepEqual(card.checks, []);
    assert.equal(w.sts.calls.length, before);
  });
});
