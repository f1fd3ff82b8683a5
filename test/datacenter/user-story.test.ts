import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { QueryTypes } from "sequelize";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { externalIdFor } from "../../src/aws/external-id";
import { ensureApiKey } from "../../src/integrations/buildkite/credentials";
import { Job } from "../../src/models";
import { FakeS3 } from "../fakes/s3";
import { FakeSts } from "../fakes/aws/sts";
import { setDcTree } from "../fakes/datacenter/routes/archive";
import { dcBuilds } from "../fakes/datacenter/routes/builds";
import { bootstrapOf, CookieJar, dcLoginSetup, hop, logInAs, stopDcLogin, type DcLoginSetup } from "../helpers/dc-login";
import { dcEventFor } from "../helpers/datacenter-events";
import { waitFor } from "../helpers/fixtures";
import { LogCapture, ebEvent, postEventBridge } from "../integrations/buildkite/support";

const BUCKET = "customer-archive";
const ROLE = "arn:aws:iam::123456789012:role/relay-proton";
const COMMIT = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";

/**
 * Issue 16's user story end to end, over HTTP, against the fake Data Center and the real app (runs on
 * SQLite, and on PostgreSQL when TEST_DATABASE_URL is set): a repository admin logs in with Bitbucket
 * DC (OAuth 2.0 + PKCE), switches S3 snapshots and Buildkite on for PROJ/widgets through the DC JSON
 * API → the app registers its webhook on DC → DC delivers a signed push → the commit's archive lands
 * in S3 → a Buildkite build of the repository's clone URL → a build status on DC. And the refusals.
 */
describe("Data Center: the user story end to end", function () {
  this.timeout(90_000);
  let s: DcLoginSetup;
  let s3: FakeS3;
  let sts: FakeSts;
  let saved: NodeJS.ProcessEnv;
  let jar: CookieJar;
  let csrf: string;
  let repoId: string;

  const app = (path: string) => `${s.h.url}${path}`;
  const api = (j: CookieJar, method: "GET" | "PUT", path: string, body?: unknown, token?: string) =>
    hop(app(`/datacenter/api${path}`), {
      jar: j,
      appUrl: s.h.url,
      method,
      headers: { accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { "x-csrf-token": token } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const count = async (sql: string) => Number((await s.h.services.db.sequelize.query<{ n: number }>(sql, { type: QueryTypes.SELECT }))[0]!.n);
  const stored = async () => (await s.h.drained(), {
    deliveries: await count("SELECT COUNT(*) AS n FROM deliveries"),
    settings: JSON.stringify(await s.h.services.db.sequelize.query("SELECT * FROM repo_settings ORDER BY id", { type: QueryTypes.SELECT })),
    jobs: await count("SELECT COUNT(*) AS n FROM jobs"),
  });

  before(async () => {
    saved = { ...process.env };
    s3 = await FakeS3.start([BUCKET]);
    sts = await new FakeSts().start();
    // The real AWS SDK clients find the fakes through AWS_ENDPOINT_URL_* (as the Proton tests run them).
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_STS: sts.url,
      RELAY_S3_FORCE_PATH_STYLE: "true",
      AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
      AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
      AWS_ACCESS_KEY_ID: "AKIARELAYAPP",
      AWS_SECRET_ACCESS_KEY: "relay-app-secret",
      AWS_MAX_ATTEMPTS: "3",
    });
    s = await dcLoginSetup();
    repoId = mintDataCenterRepositoryId(s.dc.fake.baseUrl, s.dc.repo.id);
    // The customer's role trusts the app with the installation's external id (what the settings card tells them).
    sts.allowRole(ROLE, await externalIdFor(s.h.services.installations, s.installation.id));
  });

  after(async () => {
    await stopDcLogin(s);
    await Promise.allSettled([s3?.close(), sts?.close()]);
    process.env = saved;
  });

  it("1. the repository admin logs in with Bitbucket DC and gets the repository's settings page", async () => {
    const login = await logInAs(s, s.alice);
    assert.equal(login.callback.status, 303, login.callback.text);
    jar = login.jar;
    const picker = await hop(app("/datacenter/repositories"), { jar, appUrl: s.h.url });
    assert.equal(picker.status, 200);
    assert.match(picker.text, new RegExp(`/datacenter/repos/${encodeURIComponent(repoId)}/settings`));
    const page = await hop(app(`/datacenter/repos/${encodeURIComponent(repoId)}/settings`), { jar, appUrl: s.h.url });
    assert.equal(page.status, 200, page.text);
    const boot = bootstrapOf(page.text);
    assert.deepEqual(boot.repository, { uuid: repoId, fullName: "PROJ/widgets" });
    csrf = boot.csrfToken!;
  });

  it("2. switching S3 snapshots and Buildkite on registers the app's webhook on DC (the webhook-sync job)", async () => {
    const proton = await api(jar, "PUT", `/repositories/${encodeURIComponent(repoId)}/settings/proton`, {
      values: { enabled: true, bucket: BUCKET, prefix: "relay", region: "us-east-1", roleArn: ROLE, registerWithProton: false, branches: ["master"] },
    }, csrf);
    assert.equal(proton.status, 200, proton.text);
    const bk = await api(jar, "PUT", `/repositories/${encodeURIComponent(repoId)}/settings/buildkite`, { values: { enabled: true } }, csrf);
    assert.equal(bk.status, 200, bk.text);
    await waitFor(() => s.dc.fake.webhooks.of(s.dc.repo).length === 1, "the app's webhook on DC");
    await s.h.drained();
    const [hook] = s.dc.fake.webhooks.of(s.dc.repo);
    assert.equal(hook!.url, app(`/datacenter/${s.installation.hostScope}/webhook`));
    assert.ok(hook!.events.includes("repo:refs_changed"));
    const sync = await Job.findOne({ where: { installationId: s.installation.id, handler: "datacenter.webhook-sync", repositoryUuid: repoId, status: "done" } });
    assert.ok(sync, "the registration ran as the repository's job");
  });

  it("3. DC delivers a signed repo:refs_changed push → the commit's archive lands in S3 under PROJ/widgets", async () => {
    setDcTree(s.dc.fake, s.dc.repo, COMMIT, { "README.md": "widgets at the pushed commit\n" });
    const body = dcEventFor(s.dc.fake, s.dc.repo, "repo-refs_changed.jenkins-fixture.json");
    const change = (body.changes as Array<Record<string, unknown>>)[0]!;
    change.toHash = COMMIT;
    const [res] = await s.dc.fake.deliver(s.dc.repo, "repo:refs_changed", body);
    assert.equal(res!.status, 204, res!.body);
    const key = `relay/PROJ/widgets/${COMMIT}.tar.gz`;
    const job = await waitFor(
      async () => (await Job.findAll({ where: { installationId: s.installation.id, handler: "proton.sync" } })).find((j) => ["done", "dead", "ignored"].includes(j.status)),
      "the snapshot job",
    );
    assert.equal(job.status, "done", job.lastError ?? String(job.result));
    const tar = gunzipSync(await s3.object(BUCKET, key)).toString("latin1");
    assert.ok(tar.includes(`proj-widgets-${COMMIT.slice(0, 12)}/README.md`), "DC's archive, wrapped in one top folder");
    assert.ok(tar.includes("widgets at the pushed commit"));
    assert.ok(s.dc.fake.calls.some((c) => c.method === "GET" && c.path === "/rest/api/latest/projects/PROJ/repos/widgets/archive"), "fetched from DC");
  });

  it("4. a Buildkite build of the repository's clone URL → a build status on DC", async () => {
    const apiKey = await ensureApiKey(s.h.services, s.installation.id);
    const cloneUrl = `${s.dc.fake.baseUrl}/scm/proj/widgets.git`;
    const res = await postEventBridge({ h: s.h, apiKey, webhookToken: "", logs: new LogCapture() }, ebEvent("eventbridge-build-finished.json", { repo: cloneUrl, state: "passed", commit: COMMIT, number: 42 }), apiKey, s.installation.id);
    assert.equal(res.status, 202, res.text);
    const [status] = await waitFor(() => dcBuilds(s.dc.fake).statuses(COMMIT).length > 0 && dcBuilds(s.dc.fake).statuses(COMMIT), "the build status on DC");
    assert.equal(status!.key, "buildkite-my-pipeline");
    assert.equal(status!.state, "SUCCESSFUL");
    assert.equal(status!.repositoryId, s.dc.repo.id, "the repository-based builds API");
    assert.match(status!.url, /^https:\/\/buildkite\.com\//);
    assert.equal(status!.buildNumber, "42", "the build's number");
    assert.equal(status!.duration, 19_000, "the finished build's duration in ms (started 06:01:16 UTC, finished 06:01:35 UTC)");
    await s.h.drained();
  });

  describe("refusals: nothing stored", () => {
    it("a delivery with a forged signature is 401", async () => {
      const before = await stored();
      const bytes = Buffer.from(JSON.stringify(dcEventFor(s.dc.fake, s.dc.repo, "repo-refs_changed.jenkins-fixture.json")));
      const res = await s.h.fetch("POST", `/datacenter/${s.installation.hostScope}/webhook`, bytes, {
        "content-type": "application/json; charset=utf-8",
        "x-event-key": "repo:refs_changed",
        "x-request-id": "forged-1",
        "x-hub-signature": `sha256=${createHmac("sha256", "not-the-webhook-secret").update(bytes).digest("hex")}`,
      });
      assert.deepEqual([res.status, res.json<{ error: string }>().error], [401, "invalid signature"]);
      assert.deepEqual(await stored(), before);
    });

    it("a settings write by a user with read access only is 403", async () => {
      const before = await stored();
      const { jar: bobJar } = await logInAs(s, s.bob);
      const boot = bootstrapOf((await hop(app(`/datacenter/repos/${encodeURIComponent(repoId)}/review-radar`), { jar: bobJar, appUrl: s.h.url })).text);
      const write = await api(bobJar, "PUT", `/repositories/${encodeURIComponent(repoId)}/settings/buildkite`, { values: { enabled: false } }, boot.csrfToken!);
      assert.equal(write.status, 403, write.text);
      assert.match(write.text, /only repository admins/);
      assert.deepEqual(await stored(), before);
      const still = await api(jar, "GET", `/repositories/${encodeURIComponent(repoId)}/settings`);
      assert.match(still.text, /"buildkite"/);
    });

    it("another DC instance's repository is 401 (misdirected), even for the admin", async () => {
      const before = await stored();
      const foreign = mintDataCenterRepositoryId("https://other.example.com/bitbucket", s.dc.repo.id);
      const write = await api(jar, "PUT", `/repositories/${encodeURIComponent(foreign)}/settings/buildkite`, { values: { enabled: true } }, csrf);
      assert.equal(write.status, 401, write.text);
      assert.equal((await api(jar, "GET", `/repositories/${encodeURIComponent(foreign)}/settings`)).status, 401);
      assert.deepEqual(await stored(), before);
    });
  });
});
