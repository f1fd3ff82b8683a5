import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { bitbucketArchive, environmentTemplate, gzipBombMembers } from "./archives";
import { BUCKET, historyOf, newCommit, push, settledSync, startWorld, type ProtonWorld } from "./setup";

/** `n` one-byte files inside one template folder. */
function oneByteFiles(dir: string, n: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < n; i++) out[`${dir}/infrastructure/f${i}.txt`] = "x";
  return out;
}

describe("Proton sync: an archive past a limit ends 'too large', with nothing left in S3", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let w: ProtonWorld;
  before(async () => {
    w = await startWorld({}, { ARCHIVE_MAX_TEMPLATE_FILES: "40" });
  });
  after(async () => {
    await w?.close();
  });

  const assertNothingStored = (commit: string, { multipart = false } = {}) => {
    const creates = w.s3.requests.filter((r) => r.method === "POST" && r.query.has("uploads") && r.path.includes(commit));
    const aborts = w.s3.requests.filter((r) => r.method === "DELETE" && r.query.has("uploadId") && r.path.includes(commit));
    if (multipart) assert.ok(creates.length >= 1, "the upload had gone multipart before the limit tripped");
    assert.equal(aborts.length, creates.length, "every multipart upload that was started was aborted");
    assert.deepEqual([...w.s3.openUploads.values()].filter((u) => u.key.includes(commit)), [], "no parts left behind");
    assert.equal(w.s3.requests.filter((r) => r.method === "POST" && r.query.has("uploadId") && r.path.includes(commit)).length, 0, "never completed");
  };

  it("a template folder at the file limit syncs", async () => {
    const commit = newCommit();
    w.h.fake.setArchive("acme", "widgets", commit, await bitbucketArchive(commit, { ...environmentTemplate("wide-env/v1"), ...oneByteFiles("wide-env/v1", 37) }));
    await push(w, commit);
    const job = await settledSync(commit);
    assert.equal(job.status, "done", job.lastError ?? "");
    assert.equal((await historyOf(commit)).outcome, "synced");
  });

  it("one file more (behind 12 MiB already streaming to S3) stops the sync: too_large, dead at once, no object, no parts", async () => {
    const commit = newCommit();
    const files = { "assets/blob.bin": randomBytes(12 * 1024 * 1024), ...environmentTemplate("wide-env/v1"), ...oneByteFiles("wide-env/v1", 38) };
    w.h.fake.setArchive("acme", "widgets", commit, await bitbucketArchive(commit, files));
    await push(w, commit);
    const job = await settledSync(commit);
    assert.equal(job.status, "dead");
    assert.equal(job.attempts, 1, "a limit is not retried");
    const sync = await historyOf(commit);
    assert.equal(sync.outcome, "too_large");
    assert.match(sync.reason ?? "", /^archive too large: template folder wide-env\/v1\/ has more than 40 files \(ARCHIVE_MAX_TEMPLATE_FILES\)$/);
    assert.equal(sync.s3Key, null);
    assert.deepEqual(await w.s3.keys(BUCKET, `relay/widgets/${commit}`), []);
    assertNothingStored(commit, { multipart: true });
  });

  it("a 1 MiB gzip that expands to 1 GiB is stopped at the ratio limit (default 100:1)", async () => {
    const commit = newCommit();
    w.h.fake.setArchive("acme", "widgets", commit, Buffer.concat(gzipBombMembers(1024, `acme-widgets-${commit.slice(0, 12)}`)));
    await push(w, commit);
    const job = await settledSync(commit);
    assert.equal(job.status, "dead");
    const sync = await historyOf(commit);
    assert.equal(sync.outcome, "too_large");
    assert.match(sync.reason ?? "", /^archive too large: expands more than 100:1 /);
    assert.deepEqual(await w.s3.keys(BUCKET, `relay/widgets/${commit}`), []);
    assertNothingStored(commit);
  });
});
