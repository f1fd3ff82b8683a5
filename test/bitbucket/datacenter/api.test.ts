import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createGzip } from "node:zlib";
import { pack } from "tar-stream";
import { DcBitbucketApi } from "../../../src/bitbucket/datacenter/api";
import { repositories } from "../../../src/core/repositories";
import type { InstallationView } from "../../../src/core/installations";
import { HttpError, PermanentError } from "../../../src/http/errors";
import type { DataCenterSetup } from "../../helpers/datacenter";
import type { Harness } from "../../helpers/harness";
import { redirectDcArchive, setDcTree } from "../../fakes/datacenter/routes/archive";
import { dcApi, dcApiSuite, refOf, untar, withToken } from "./dc-test-kit";

const SHA = "0123456789abcdef0123456789abcdef01234567";

/** `DcBitbucketApi` through `services.bitbucketApiFor` against the fake Data Center: repository, permissions, archive, token scopes. */
describe("BitbucketApi: the Data Center implementation (repository, permissions, archive)", function () {
  this.timeout(60_000);
  let dc: DataCenterSetup;
  let h: Harness;
  let installation: InstallationView;
  let api: DcBitbucketApi;
  dcApiSuite((s) => ({ dc, h, installation, api } = s));

  it("is chosen by the installation's host, with DC's 255-character status keys", () => {
    assert.ok(api instanceof DcBitbucketApi);
    assert.equal(api.product, "datacenter");
    assert.equal(api.limits.statusKeyMax, 255);
  });

  it("reads the repository (door-minted id, PROJ/slug, default branch, web link) with the service token as Bearer", async () => {
    const repo = await api.repository(refOf(installation, dc.repo));
    assert.deepEqual(repo, {
      id: `dc:${installation.hostScope}:${dc.repo.id}`,
      fullName: "PROJ/widgets",
      displayName: "widgets",
      mainBranch: "main",
      links: { html: `${dc.fake.baseUrl}/projects/PROJ/repos/widgets/browse` },
    });
    assert.deepEqual(dc.fake.calls.map((c) => [c.path, c.auth]), [
      ["/rest/api/latest/projects/PROJ/repos/widgets", "bearer"],
      ["/rest/api/latest/projects/PROJ/repos/widgets/default-branch", "bearer"],
    ]);
  });

  it("a repository without a default branch yet has mainBranch null (DC's 404 on default-branch)", async () => {
    const empty = dc.fake.addRepository("PROJ", "empty", { defaultBranch: null });
    assert.equal((await api.repository(refOf(installation, empty))).mainBranch, null);
  });

  it("a personal project's repository (~user/slug) is addressed with its encoded key", async () => {
    const dots = dc.fake.addRepository("~RELAY-BOT", "dots");
    dc.fake.grant(dc.service, "REPO_READ", { repository: dots });
    const repo = await api.repository(refOf(installation, dots));
    assert.equal(repo.fullName, "~RELAY-BOT/dots");
    assert.equal(dc.fake.calls[0]!.path, "/rest/api/latest/projects/~RELAY-BOT/repos/dots");
  });

  it("without fullName: the PROJ/slug the core learnt for the id, else a clear PermanentError before any call", async () => {
    const gadgets = dc.fake.addRepository("PROJ", "gadgets");
    const ref = refOf(installation, gadgets, null);
    await assert.rejects(api.repository(ref), (err: unknown) => err instanceof PermanentError && /PROJ\/slug.*not known/.test(err.message));
    assert.equal(dc.fake.calls.length, 0);
    await repositories.remember(installation, { id: ref.id, displayName: "PROJ/gadgets" });
    assert.equal((await api.repository(ref)).fullName, "PROJ/gadgets");
  });

  it("refuses an id of another DC instance, or one that is not a DC id, before any call", async () => {
    await assert.rejects(api.repository({ id: `dc:${"f".repeat(16)}:${dc.repo.id}`, fullName: "PROJ/widgets" }), (err: unknown) => err instanceof PermanentError && /another Data Center instance/.test(err.message));
    await assert.rejects(api.repository({ id: "{0c8b7d0e-0000-4000-8000-000000000001}", fullName: "PROJ/widgets" }), PermanentError);
    assert.equal(dc.fake.calls.length, 0);
  });

  it("a repository the token cannot read is DC's 404, with DC's message", async () => {
    const secret = dc.fake.addRepository("OTHER", "secret");
    await assert.rejects(api.repository(refOf(installation, secret)), (err: unknown) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.status, 404);
      assert.equal(err.message, "bitbucket answered 404: Repository OTHER/secret does not exist.");
      return true;
    });
  });

  describe("permissionOf (users resource with repository permission filters) and isScopeAdmin", () => {
    it("answers each user's effective level: repository, project and global grants; none without one", async () => {
      const perm = dc.fake.addRepository("PERM", "repo");
      dc.fake.grant(dc.service, "PROJECT_READ", { project: "PERM" });
      const ada = dc.fake.addUser("ada");
      const bob = dc.fake.addUser("bob");
      const bobby = dc.fake.addUser("bobby");
      const cy = dc.fake.addUser("cy");
      const root = dc.fake.addUser("root");
      dc.fake.grant(ada, "REPO_ADMIN", { repository: perm });
      dc.fake.grant(bobby, "PROJECT_WRITE", { project: "PERM" });
      dc.fake.grant(cy, "REPO_READ", { repository: perm });
      dc.fake.grant(root, "SYS_ADMIN");
      const ref = refOf(installation, perm);
      const levels: Record<string, string> = {};
      for (const u of [ada, bob, bobby, cy, root]) levels[u.slug] = (await api.permissionOf(ref, u.slug)).permission;
      assert.deepEqual(levels, { ada: "admin", bob: "none", bobby: "write", cy: "read", root: "admin" }, "bob is not bobby: the slug is compared exactly");
      const found = await api.permissionOf(ref, "ada");
      assert.deepEqual(found.repository, { id: ref.id, fullName: "PERM/repo" });
      const asked = dc.fake.calls.filter((c) => c.path === "/rest/api/latest/users").at(-1)!;
      assert.deepEqual(asked.query, { "permission.1": "REPO_ADMIN", "permission.1.projectKey": "PERM", "permission.1.repositorySlug": "repo", filter: "ada", limit: "100", start: "0" });
      assert.ok(!dc.fake.calls.some((c) => /permissions\/users|\/admin\//.test(c.path)), "no admin-only resource (tokens cannot call them: BSERV-10482)");
    });

    it("a slug now naming another repository (renamed and reused) answers none with the repository DC names", async () => {
      const old = { id: 999_999, projectKey: "PROJ", slug: "widgets" };
      const found = await api.permissionOf(refOf(installation, old), dc.service.slug);
      assert.equal(found.permission, "none");
      assert.equal(found.repository.id, `dc:${installation.hostScope}:${dc.repo.id}`);
    });

    it("isScopeAdmin: DC's global ADMIN or SYS_ADMIN, not a project admin", async () => {
      const admin = dc.fake.addUser("admin-ann");
      const sys = dc.fake.addUser("sys-sam");
      const lead = dc.fake.addUser("lead-lou");
      dc.fake.grant(admin, "ADMIN");
      dc.fake.grant(sys, "SYS_ADMIN");
      dc.fake.grant(lead, "PROJECT_ADMIN", { project: "PROJ" });
      assert.equal(await api.isScopeAdmin("admin-ann"), true);
      assert.equal(await api.isScopeAdmin("sys-sam"), true);
      assert.equal(await api.isScopeAdmin("lead-lou"), false);
      assert.equal(await api.isScopeAdmin("nobody"), false);
    });
  });

  describe("archive", () => {
    it("streams the commit's tree as a real .tar.gz in one top-level folder, with the Bearer token", async () => {
      setDcTree(dc.fake, dc.repo, SHA, { "README.md": "hello", "templates/env/spec.yaml": "v: 1" });
      const { body } = await api.archive(refOf(installation, dc.repo), SHA);
      const files = await untar(body);
      assert.deepEqual(files, { "proj-widgets-0123456789ab/README.md": "hello", "proj-widgets-0123456789ab/templates/env/spec.yaml": "v: 1" });
      const call = dc.fake.calls.at(-1)!;
      assert.equal(call.path, "/rest/api/latest/projects/PROJ/repos/widgets/archive");
      assert.deepEqual([call.query.at, call.query.format, call.auth], [SHA, "tar.gz", "bearer"]);
    });

    it("follows a redirect with the Bearer token on the instance's origin only, never to another origin", async () => {
      setDcTree(dc.fake, dc.repo, SHA, { "a.txt": "same origin" });
      redirectDcArchive(dc.fake, dc.repo, `${dc.fake.baseUrl}/rest/api/1.0/projects/PROJ/repos/widgets/archive`);
      assert.deepEqual(Object.values(await untar((await api.archive(refOf(installation, dc.repo), SHA)).body)), ["same origin"]);
      assert.deepEqual(dc.fake.calls.map((c) => [c.status, c.auth]), [[302, "bearer"], [200, "bearer"]]);
      const seen: Array<string | undefined> = [];
      const storage = http.createServer((req, res) => {
        seen.push(req.headers.authorization);
        res.setHeader("content-type", "application/x-gzip");
        const tar = pack();
        tar.pipe(createGzip()).pipe(res);
        tar.entry({ name: "elsewhere.txt" }, "from storage");
        tar.finalize();
      });
      await new Promise<void>((resolve) => storage.listen(0, "127.0.0.1", resolve));
      try {
        redirectDcArchive(dc.fake, dc.repo, `http://127.0.0.1:${(storage.address() as AddressInfo).port}/blob`);
        assert.deepEqual(await untar((await api.archive(refOf(installation, dc.repo), SHA)).body), { "elsewhere.txt": "from storage" });
        assert.deepEqual(seen, [undefined], "the token never leaves the DC origin");
      } finally {
        redirectDcArchive(dc.fake, dc.repo, null);
        storage.closeAllConnections();
        await new Promise<void>((resolve) => storage.close(() => resolve()));
      }
    });

    it("refuses a malformed hash before any call; an unknown commit is DC's 404", async () => {
      await assert.rejects(api.archive(refOf(installation, dc.repo), "not-a-sha"), PermanentError);
      assert.equal(dc.fake.calls.length, 0);
      await assert.rejects(api.archive(refOf(installation, dc.repo), "d".repeat(40)), (err: unknown) => err instanceof HttpError && err.status === 404 && /does not exist/.test(err.message));
    });
  });

  describe("token scope: project and repository HTTP access tokens", () => {
    it("a project token reads its project's repositories only", async () => {
      const token = dc.fake.issueToken({ project: "PROJ", permissions: ["PROJECT_READ"] });
      const other = dc.fake.addRepository("SCOPE", "elsewhere");
      await withToken(h, dc, token, async () => {
        const scoped = dcApi(h, installation);
        assert.equal((await scoped.repository(refOf(installation, dc.repo))).fullName, "PROJ/widgets");
        await assert.rejects(scoped.repository(refOf(installation, other)), (err: unknown) => err instanceof HttpError && err.status === 404);
      });
    });

    it("a repository token reads its repository only; the legacy status list refuses it (LICENSED user) with DC's message, not retried", async () => {
      const token = dc.fake.issueToken({ repository: dc.repo, permissions: ["REPO_READ"] });
      const sibling = dc.fake.addRepository("PROJ", "sibling");
      await withToken(h, dc, token, async () => {
        const scoped = dcApi(h, installation);
        assert.equal((await scoped.repository(refOf(installation, dc.repo))).fullName, "PROJ/widgets");
        await assert.rejects(scoped.repository(refOf(installation, sibling)), (err: unknown) => err instanceof HttpError && err.status === 404);
        await assert.rejects(scoped.listBuildStatuses(refOf(installation, dc.repo), SHA), (err: unknown) => {
          assert.ok(err instanceof HttpError && err.status === 401);
          assert.equal(err.retryable, false, "a missing permission is not a bad token: no retry fixes it");
          assert.match(err.message, /LICENSED_USER needed/);
          return true;
        });
      });
    });

    it("a forged token is DC's 401 as a retryable auth error (a rotated token is worth a later try)", async () => {
      await withToken(h, dc, "BBDC-forged", async () => {
        await assert.rejects(dcApi(h, installation).repository(refOf(installation, dc.repo)), (err: unknown) => err instanceof HttpError && err.status === 401 && err.retryable === true);
      });
    });
  });
});
