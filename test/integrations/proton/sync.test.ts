import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { Readable } from "node:stream";
import { extract } from "tar-stream";
import { Job } from "../../../src/models";
import { ProtonTemplateVersion } from "../../../src/integrations/proton/models";
import { bitbucketArchive, environmentTemplate, serviceTemplate } from "./archives";
import { BUCKET, historyOf, newCommit, push, settledSync, startWorld, type ProtonWorld } from "./setup";
import { waitFor } from "../../helpers/fixtures";

async function tarNames(gz: Buffer): Promise<Array<{ name: string; type: string }>> {
  const out: Array<{ name: string; type: string }> = [];
  const x = extract();
  Readable.from([gunzipSync(gz)]).pipe(x);
  for await (const e of x) {
    out.push({ name: e.header.name, type: e.header.type });
    e.resume();
  }
  return out;
}

describe("Proton sync: push → S3 archive → template versions", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let w: ProtonWorld;
  before(async () => {
    w = await startWorld();
  });
  after(async () => {
    await w?.close();
  });

  const archive = async (commit: string, files: Record<string, Parameters<typeof bitbucketArchive>[1][string]>) => {
    const body = await bitbucketArchive(commit, files);
    w.h.fake.setArchive("acme", "widgets", commit, body);
    return body;
  };

  it("archives the commit to S3 (SSE, assumed role) and registers a new vN folder as a new major", async () => {
    const commit = newCommit();
    const body = await archive(commit, { "README.md": "hello", ...environmentTemplate("vpc-env/v1") });
    await push(w, commit);
    const job = await settledSync(commit);
    assert.equal(job.status, "done", job.lastError ?? "");

    const key = `relay/widgets/${commit}.tar.gz`;
    assert.deepEqual(await w.s3.object(BUCKET, key), body, "the archive in S3 is the Bitbucket download, byte for byte");
    const puts = w.s3.requests.filter((r) => r.path === `/${BUCKET}/${key}` && (r.method === "PUT" || r.method === "POST") && !r.query.has("partNumber"));
    assert.ok(puts.length >= 1);
    for (const r of puts.filter((p) => p.method === "PUT" || p.query.has("uploads"))) {
      assert.equal(r.headers["x-amz-server-side-encryption"], "AES256");
    }
    assert.ok(w.s3.requests.every((r) => r.accessKeyId?.startsWith("ASIA")), "S3 is called with the assumed role's credentials");
    assert.ok(w.sts.calls.some((c) => c.granted && c.roleArn.endsWith("role/relay-proton")));

    const versions = w.proton.template("environment", "vpc-env")?.versions ?? [];
    assert.equal(versions.length, 1);
    assert.equal(versions[0]!.major, "1");
    assert.equal(versions[0]!.minor, "0");
    const create = w.proton.callsOf("CreateEnvironmentTemplateVersion")[0]!;
    assert.equal(create.input.majorVersion, undefined, "a new major omits majorVersion");
    const bundleKey = (create.input.source as { s3: { key: string } }).s3.key;
    assert.match(bundleKey, /^relay\/widgets\/bundles\/vpc-env\/v1\/[0-9a-f]{64}\.tar\.gz$/);
    const names = (await tarNames(await w.s3.object(BUCKET, bundleKey))).map((e) => e.name).sort();
    assert.deepEqual(names, ["infrastructure/cloudformation.yaml", "infrastructure/manifest.yaml", "schema/schema.yaml"]);

    const event = w.events.events.find((e) => e.detailType === "Template Version Detected" && (e.detail as { commit?: string }).commit === commit);
    assert.ok(event, "a Template Version Detected event reached the bus");
    assert.deepEqual(
      { template: event.detail.template, kind: event.detail.kind, major: event.detail.major, minor: event.detail.minor },
      { template: "vpc-env", kind: "environment", major: 1, minor: 0 },
    );
    assert.equal((event.detail.s3Bundle as { key: string }).key, bundleKey);

    const sync = await historyOf(commit);
    assert.equal(sync.outcome, "synced");
    assert.equal(sync.branch, "main");
    assert.equal(sync.s3Key, key);
    assert.equal(Number(sync.sizeBytes), body.length);
    assert.ok((sync.durationMs ?? -1) >= 0);
    const summary = JSON.parse(sync.versions!) as Array<{ template: string; proton: { version: string } }>;
    assert.deepEqual(summary.map((s) => `${s.template} ${s.proton.version}`), ["vpc-env 1.0"]);
  });

  it("changed content inside v1 is a new minor; the same content again registers nothing", async () => {
    const c2 = newCommit();
    await archive(c2, environmentTemplate("vpc-env/v1", "changed"));
    await push(w, c2);
    assert.equal((await settledSync(c2)).status, "done");
    const minor = w.proton.callsOf("CreateEnvironmentTemplateVersion").at(-1)!;
    assert.equal(minor.input.majorVersion, "1", "a new minor names its major");
    assert.deepEqual(
      w.proton.template("environment", "vpc-env")!.versions.map((v) => `${v.major}.${v.minor}`),
      ["1.0", "1.1"],
    );

    const creates = w.proton.callsOf("CreateEnvironmentTemplateVersion").length;
    const eventsBefore = w.events.events.length;
    const c3 = newCommit();
    await archive(c3, { "docs/changelog.md": "unrelated change", ...environmentTemplate("vpc-env/v1", "changed") });
    await push(w, c3);
    assert.equal((await settledSync(c3)).status, "done");
    const sync = await historyOf(c3);
    assert.equal(sync.outcome, "unchanged");
    assert.ok(sync.s3Key, "the commit is archived even when no template changed");
    assert.equal(w.proton.callsOf("CreateEnvironmentTemplateVersion").length, creates, "no Proton call for unchanged content");
    assert.equal(w.events.events.length, eventsBefore, "no event for unchanged content");
  });

  it("registers two templates of one push: an environment and a service that needs it", async () => {
    const commit = newCommit();
    await archive(commit, {
      ...environmentTemplate("base-env/v1"),
      ...serviceTemplate("fargate-svc/v1", ["base-env:1"]),
    });
    await push(w, commit);
    assert.equal((await settledSync(commit)).status, "done");
    const svc = w.proton.template("service", "fargate-svc");
    assert.ok(svc, "the service template was created");
    assert.equal(svc.pipelineProvisioning, "CUSTOMER_MANAGED", "no pipeline_infrastructure/ → customer-managed pipelines");
    assert.deepEqual(svc.versions.map((v) => `${v.major}.${v.minor}`), ["1.0"]);
    assert.deepEqual(svc.versions[0]!.compatibleEnvironmentTemplates, [{ templateName: "base-env", majorVersion: "1" }]);
    assert.deepEqual(w.proton.template("environment", "base-env")!.versions.map((v) => `${v.major}.${v.minor}`), ["1.0"]);
    const sync = await historyOf(commit);
    assert.equal(sync.outcome, "synced");
    const kinds = (JSON.parse(sync.versions!) as Array<{ template: string; kind: string }>).map((v) => `${v.template}:${v.kind}`).sort();
    assert.deepEqual(kinds, ["base-env:environment", "fargate-svc:service"]);
  });

  it("rejects and reports traversal, absolute and link entries, and never follows them", async () => {
    const commit = newCommit();
    await archive(commit, {
      ...environmentTemplate("net-env/v1"),
      "!../../etc/cron.d/evil": "* * * * * root rm -rf /",
      "!/etc/passwd": "root:x:0:0",
      "net-env/v1/infrastructure/secrets.yaml": { symlink: "/etc/shadow" },
      "net-env/v1/schema/copy.yaml": { hardlink: "../../../etc/hosts" },
      "net-env/v1/../../escape.txt": "x",
    });
    await push(w, commit);
    assert.equal((await settledSync(commit)).status, "done");
    const sync = await historyOf(commit);
    const rejected = JSON.parse(sync.rejected!) as Array<{ path: string; reason: string }>;
    const reasonFor = (p: string) => rejected.find((r) => r.path.endsWith(p))?.reason ?? "";
    assert.match(reasonFor("etc/cron.d/evil"), /traversal/);
    assert.match(reasonFor("/etc/passwd"), /absolute/);
    assert.match(reasonFor("secrets.yaml"), /symlink/);
    assert.match(reasonFor("copy.yaml"), /link/);
    assert.match(reasonFor("escape.txt"), /traversal/);
    const version = await ProtonTemplateVersion.findOne({ where: { template: "net-env", commit } });
    assert.ok(version, "the valid files still make a version");
    const names = (await tarNames(await w.s3.object(BUCKET, version.bundleKey))).map((e) => e.name);
    assert.ok(!names.some((n) => n.includes("secrets") || n.includes("copy") || n.includes("..")), names.join(","));
  });

  it("ignores a push to a branch the settings do not select", async () => {
    const commit = newCommit();
    await archive(commit, environmentTemplate("vpc-env/v2"));
    const s3Before = w.s3.requests.length;
    await push(w, commit, "feature/experiment");
    const pushJob = await waitForPushJob(commit);
    assert.equal(pushJob.status, "ignored");
    assert.match(JSON.parse(pushJob.result ?? "{}").reason, /no selected branch/);
    const syncs = (await Job.findAll({ where: { handler: "proton.sync" } })).filter((j) => j.payload?.includes(commit));
    assert.equal(syncs.length, 0);
    assert.equal(w.s3.requests.length, s3Before, "nothing was uploaded");
  });

  it("ends the sync dead at once when Bitbucket has no archive for the commit (404)", async () => {
    const commit = newCommit();
    await push(w, commit);
    const job = await settledSync(commit);
    assert.equal(job.status, "dead");
    assert.equal(job.attempts, 1, "a 404 is not retried");
    assert.match(job.lastError ?? "", /not found/);
    const sync = await historyOf(commit);
    assert.equal(sync.outcome, "failed");
    assert.match(sync.reason ?? "", /404/);
    assert.deepEqual(await w.s3.keys(BUCKET, `relay/widgets/${commit}`), []);
  });

  it("ends the sync dead at once when the archive is not a tar.gz", async () => {
    const commit = newCommit();
    w.h.fake.setArchive("acme", "widgets", commit, Buffer.from("<html>this is not an archive</html>"));
    await push(w, commit);
    const job = await settledSync(commit);
    assert.equal(job.status, "dead");
    assert.equal(job.attempts, 1, "a corrupt archive is not retried");
    assert.match(job.lastError ?? "", /not a valid tar\.gz/);
  });

  it("retries an S3 failure midway without leaving a duplicate or partial object", async () => {
    const commit = newCommit();
    const body = await archive(commit, { "assets/blob.bin": randomBytes(20 * 1024 * 1024), ...environmentTemplate("big-env/v1") });
    // Part 2 keeps failing past the SDK's own attempts: the multipart upload is aborted, the job retried.
    w.s3.inject({ method: "PUT", path: new RegExp(`/${commit}\\.tar\\.gz$`), query: /partNumber=2/, status: 503, code: "SlowDown", times: 3 });
    await push(w, commit);
    const job = await settledSync(commit);
    assert.equal(job.status, "done", job.lastError ?? "");
    assert.equal(job.attempts, 2);
    const key = `relay/widgets/${commit}.tar.gz`;
    assert.deepEqual(await w.s3.keys(BUCKET, `relay/widgets/${commit}`), [{ key, size: body.length }]);
    assert.deepEqual(await w.s3.object(BUCKET, key), body);
    assert.ok(w.s3.requestsTo("DELETE", new RegExp(`${commit}\\.tar\\.gz$`)).some((r) => r.query.has("uploadId")), "the failed upload was aborted");
    const syncs = (await historyOf(commit)).outcome;
    assert.equal(syncs, "synced");
  });

  it("ends as 'archived to S3, Proton unavailable' when Proton answers as an ended service", async () => {
    await w.proton.endOfSupport("access-denied");
    const commit = newCommit();
    await archive(commit, environmentTemplate("late-env/v1"));
    await push(w, commit);
    const job = await settledSync(commit);
    assert.equal(job.status, "done", "not dead, and not retried");
    assert.equal(job.attempts, 1);
    const sync = await historyOf(commit);
    assert.equal(sync.outcome, "archived_proton_unavailable");
    assert.match(sync.reason ?? "", /archived to S3, Proton unavailable: AccessDeniedException/);
    assert.ok((await w.s3.keys(BUCKET, `relay/widgets/${commit}`)).length === 1, "the snapshot stays");
    const v = await ProtonTemplateVersion.findOne({ where: { template: "late-env" } });
    assert.equal(v?.protonState, "unavailable");
    assert.equal(v?.eventState, "done", "the EventBridge target still got the version");
    assert.ok(w.events.events.some((e) => e.detail.template === "late-env"));
  });
});

async function waitForPushJob(commit: string): Promise<Job> {
  return waitFor(async () => {
    const jobs = await Job.findAll({ where: { handler: "proton.push" } });
    for (const j of jobs) {
      if (j.status !== "ignored" && j.status !== "done" && j.status !== "dead") continue;
      const delivery = await j.sequelize.query(`SELECT payload FROM deliveries WHERE id = :id`, { replacements: { id: j.deliveryId }, plain: true });
      if (String((delivery as { payload?: string } | null)?.payload ?? "").includes(commit)) return j;
    }
    return null;
  }, `the push job of ${commit} settled`);
}
