import assert from "node:assert/strict";
import { Harness, type TestTenant } from "../helpers/harness";
import { bitbucketJwt } from "../helpers/jwt";
import { bitbucketWebhook, forRepository, waitFor } from "../helpers/fixtures";
import { registerEchoHandler } from "../helpers/echo-handler";
import { CookieSessions } from "../../src/web/session/cookie-session";
import { idOfAnotherScope } from "../../src/web/repository-scope";
import { dataCenterInstanceId, mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { Delivery, Job, RepoSettingsRecord, SettingsChange, WorkspaceApplyRun } from "../../src/models";
import { ADMIN, TEST_ID, apiAs, grantDefaults, pageApiTokenFor, repoBase, sessionFor } from "./support";
import { SessionRouter } from "./session-router";
import { reviewRadar } from "../../src/integrations/review-radar";
import { MEMBER, OWNER, grantWorkspace, workspaceApi, WORKSPACE_PAGE, type RunView } from "../settings/support";

const BETA = { uuid: "{0b0b0b0b-0000-4000-8000-00000000000b}", slug: "beta" };
const GADGETS = { uuid: "{0c0c0c0c-0000-4000-8000-00000000000c}", slug: "gadgets", fullName: "beta/gadgets" };
const SIBLING = { uuid: "{0d0d0d0d-0000-4000-8000-00000000000d}", fullName: "acme/sibling" };
/** A repository of acme's the app received events of, which acme's Bitbucket no longer has (deleted). */
const GONE = { uuid: "{0e0e0e0e-0000-4000-8000-00000000000e}", fullName: "acme/gone" };

async function snapshot(): Promise<string> {
  return JSON.stringify(await Promise.all([Delivery.count(), Job.count(), RepoSettingsRecord.count(), SettingsChange.count(), WorkspaceApplyRun.count()]));
}

function expect401(res: { status: number; text: string }, what: string): void {
  assert.equal(res.status, 401, `${what} → ${res.status} ${res.text.slice(0, 200)}`);
  assert.equal(typeof (JSON.parse(res.text) as { error: unknown }).error, "string", `${what}: a short reason`);
}

/**
 * "A misdirected credential gets 401, whatever door" (docs/architecture.md, Security): a credential of
 * one installation, workspace or repository used for another's data is 401 with a short reason and
 * nothing read or changed, whether the token shows it or only the installation's Bitbucket does; 404
 * stays for what the caller's own installation had and no longer has.
 */
describe("Misdirected credentials: 401 on every door, 404 only for the installation's own", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let h: Harness;
  let beta: TestTenant;

  before(async () => {
    h = await Harness.start({ integrations: [{ ...reviewRadar, background: undefined }], registerHandlers: (r) => registerEchoHandler(r) });
    grantDefaults(h);
    h.fake.addRepository({ workspace: h.tenant.workspace.slug, slug: "sibling", uuid: SIBLING.uuid, clientKey: h.tenant.clientKey });
    h.fake.setRepoPermission(h.tenant.workspace.slug, "sibling", ADMIN, "admin");
    grantWorkspace(h);
    beta = await h.install({ workspace: BETA, repo: false });
    h.fake.addRepository({ workspace: BETA.slug, slug: GADGETS.slug, uuid: GADGETS.uuid, clientKey: beta.clientKey });
    h.fake.setRepoPermission(BETA.slug, GADGETS.slug, ADMIN, "admin");
    h.fake.setWorkspacePermission(BETA.slug, OWNER, "owner");
  });
  after(() => h.close());

  const repoRoutes = (uuid: string) => {
    const base = `/repositories/${encodeURIComponent(uuid)}`;
    return [
      ["GET", `${base}/settings`, undefined],
      ["PUT", `${base}/settings/${TEST_ID}`, { values: { enabled: true } }],
      ["GET", `${base}/settings/changes`, undefined],
      ["GET", `${base}/activity`, undefined],
      ["GET", `${base}/settings/${TEST_ID}/setup`, undefined],
    ] as const;
  };

  it("Connect: another workspace's page is not opened for this repository, and its token bound to it is 401 on every repository route (was 404)", async () => {
    const before = await snapshot();
    await assert.rejects(sessionFor(h, ADMIN, beta, h.repo), /settings page answered 401/);
    const token = pageApiTokenFor(beta, ADMIN, h.repo.uuid);
    const api = apiAs(h, token);
    for (const [method, path, body] of repoRoutes(h.repo.uuid)) {
      const res = method === "GET" ? await api.get(path) : await api.put(path, body);
      expect401(res, `${method} ${path}`);
      assert.match(res.json<{ error: string }>().error, /no such repository/);
    }
    assert.equal(await snapshot(), before);
  });

  it("cookie sessions: a session bound to another workspace's repository, or to another Data Center instance's id, is 401", async () => {
    const r = await SessionRouter.start(h, new CookieSessions(h.services));
    try {
      const before = await snapshot();
      const otherInstance = mintDataCenterRepositoryId("https://git.elsewhere.example/bitbucket", 7);
      for (const uuid of [GADGETS.uuid, otherInstance]) {
        const { cookie, csrfToken } = await r.login(ADMIN, uuid);
        for (const [method, path, body] of repoRoutes(uuid)) {
          const res = await r.fetch(method, `/test/api${path}`, { cookie, body, headers: { "x-csrf-token": csrfToken } });
          expect401({ status: res.status, text: await res.text() }, `${method} ${path} (session bound to ${uuid})`);
        }
      }
      assert.equal(await snapshot(), before);
    } finally {
      await r.close();
    }
  });

  it("a Data Center id names its instance: one of another instance is never the installation's", () => {
    const mine = { baseUrl: "https://git.example.com/bitbucket" };
    assert.equal(idOfAnotherScope(mine, mintDataCenterRepositoryId("https://GIT.example.com:443/bitbucket/", 5)), false);
    assert.equal(idOfAnotherScope(mine, `dc:${dataCenterInstanceId("https://git.example.com/other")}:5`), true);
    assert.equal(idOfAnotherScope({ baseUrl: "https://bitbucket.org" }, mintDataCenterRepositoryId(mine.baseUrl, 5)), true);
    assert.equal(idOfAnotherScope(mine, GADGETS.uuid), false, "Cloud ids name no workspace: the host decides");
  });

  it("review radar: another workspace's page token bound to this repository is 401 on the panel and status lookups", async () => {
    const before = await snapshot();
    const api = apiAs(h, pageApiTokenFor(beta, ADMIN, h.repo.uuid));
    expect401(await api.get(`/review-radar/panel?repoUuid=${encodeURIComponent(h.repo.uuid)}`), "panel");
    expect401(await api.post("/review-radar/statuses", { repoUuid: h.repo.uuid, commits: ["5a741616cdf07dc87c5adafe784321eeeb639e33"] }), "statuses");
    // The page of the installation's own repository still works.
    const own = apiAs(h, await sessionFor(h, ADMIN));
    assert.equal((await own.get(`/review-radar/panel?repoUuid=${encodeURIComponent(h.repo.uuid)}`)).status, 200);
    assert.equal(await snapshot(), before);
  });

  it("keeps 404 for a repository of the caller's own installation that its Bitbucket no longer has", async () => {
    const payload = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { ...GONE, workspaceUuid: h.tenant.workspace.uuid });
    assert.equal((await h.webhook("repo:push", payload)).status, 204);
    const api = apiAs(h, await sessionFor(h, ADMIN, h.tenant, GONE));
    const res = await api.get(`/repositories/${encodeURIComponent(GONE.uuid)}/settings`);
    assert.equal(res.status, 404, res.text);
    assert.match(res.json<{ error: string }>().error, /not found in this installation/);
    await h.drained();
  });

  it("workspace defaults: another workspace's run is 401 (no run at all: 404); applying to another workspace's repositories is 401", async () => {
    await h.services.settings.update(beta.installation.id, { uuid: GADGETS.uuid, fullName: GADGETS.fullName }, TEST_ID as never, { values: { channel: "beta" } }, ADMIN);
    const betaToken = bitbucketJwt("GET", WORKSPACE_PAGE, { clientKey: beta.clientKey, sharedSecret: beta.sharedSecret, sub: OWNER });
    const betaPage = await h.get(`${WORKSPACE_PAGE}?jwt=${betaToken}`);
    assert.equal(betaPage.status, 200, betaPage.text);
    const betaApi = apiAs(h, betaPage.headers["x-acpt"] as string);
    const started = await betaApi.post(`/workspace/defaults/${TEST_ID}/apply`, { repositories: [GADGETS.uuid] });
    assert.equal(started.status, 202, started.text);
    const runId = started.json<RunView>().id;
    await waitFor(async () => (await WorkspaceApplyRun.findByPk(runId))?.status === "finished", "beta's run to finish");

    const acme = await workspaceApi(h, OWNER);
    const before = await snapshot();
    expect401(await acme.get(`/workspace/defaults/runs/${runId}`), "beta's run read with acme's token");
    assert.equal((await acme.get(`/workspace/defaults/runs/00000000-0000-4000-8000-000000000000`)).status, 404);
    expect401(await acme.post(`/workspace/defaults/${TEST_ID}/apply`, { repositories: [GADGETS.uuid] }), "apply to beta's repository with acme's token");
    expect401(await acme.post(`/workspace/defaults/${TEST_ID}/apply`, { repositories: [h.repo.uuid, GADGETS.uuid] }), "apply naming one of acme's and one of beta's");
    assert.equal(await snapshot(), before, "no run queued, nothing changed");
    assert.equal((await workspaceApi(h, MEMBER).then((m) => m.get("/workspace/defaults"))).status, 403, "a member is still a member");
  });

  it("activity: replaying another installation's or another repository's job is 401; no such job is 404", async () => {
    const payload = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName, workspaceUuid: h.tenant.workspace.uuid });
    assert.equal((await h.webhook("repo:push", payload, { requestUuid: "misdirected-replay" })).status, 204);
    await h.drained();
    const job = await Job.findOne({ where: { installationId: h.tenant.installation.id, repositoryUuid: h.repo.uuid } });
    assert.ok(job, "a job of acme/widgets");
    const before = await snapshot();
    const betaApi = apiAs(h, await sessionFor(h, ADMIN, beta, GADGETS));
    expect401(await betaApi.post(`/repositories/${encodeURIComponent(GADGETS.uuid)}/activity/jobs/${job.id}/replay`), "beta replaying acme's job");
    const sibling = apiAs(h, await sessionFor(h, ADMIN, h.tenant, SIBLING));
    expect401(await sibling.post(`/repositories/${encodeURIComponent(SIBLING.uuid)}/activity/jobs/${job.id}/replay`), "another repository's page replaying it");
    const own = apiAs(h, await sessionFor(h, ADMIN));
    assert.equal((await own.post(`${repoBase(h)}/activity/jobs/00000000-0000-4000-8000-000000000000/replay`)).status, 404);
    assert.equal(await snapshot(), before);
  });
});
