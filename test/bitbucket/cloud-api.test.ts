import assert from "node:assert/strict";
import type { Readable } from "node:stream";
import { Harness } from "../helpers/harness";
import { HttpError, PermanentError } from "../../src/http/errors";
import { CloudBitbucketApi } from "../../src/bitbucket/cloud/api";
import type { BitbucketApi } from "../../src/bitbucket/host-api";

/** The Cloud implementation of `BitbucketApi`, against the fake Bitbucket Cloud (JWT-verified, OpenAPI-validated). */
describe("BitbucketApi: the Cloud implementation against the fake Bitbucket", () => {
  let h: Harness;
  let api: BitbucketApi;
  const SHA = "c".repeat(40);
  const repoById = () => ({ id: h.repo.uuid, fullName: null });
  const repoByName = () => ({ id: h.repo.uuid, fullName: h.repo.fullName });
  before(async () => {
    h = await Harness.start({ integrations: [] });
    api = h.services.bitbucketApiFor(h.tenant.installation);
  });
  after(() => h.close());
  beforeEach(() => h.fake.resetCalls());

  it("is chosen by the installation's host: Cloud for Connect, with Cloud's 40-character status keys", () => {
    assert.ok(api instanceof CloudBitbucketApi);
    assert.equal(api.product, "cloud");
    assert.equal(api.limits.statusKeyMax, 40);
    assert.ok(h.services.bitbucketApis.has("forge"), "the Forge door reaches Cloud too");
  });

  it("reads the repository's names, main branch and web link", async () => {
    const repo = await api.repository(repoByName());
    assert.equal(repo.id, h.repo.uuid);
    assert.equal(repo.fullName, "acme/widgets");
    assert.equal(repo.mainBranch, "main");
    assert.match(repo.links.html ?? "", /acme\/widgets$/);
    assert.equal(h.fake.callsTo("GET", /\/2\.0\/repositories\/acme\/widgets$/).length, 1, "by workspace/slug, as before");
  });

  it("posts a build status (same key overwrites) and lists it back in host-neutral terms", async () => {
    await api.postBuildStatus(repoByName(), SHA, { key: "relay-a", state: "INPROGRESS", name: "A", url: "https://ci.example.com/1", refname: "main" });
    await api.postBuildStatus(repoByName(), SHA, { key: "relay-a", state: "STOPPED", name: "A", url: "https://ci.example.com/1" });
    await api.postBuildStatus(repoById(), SHA, { key: "relay-b", state: "SUCCESSFUL", url: "https://ci.example.com/2" });
    const stored = h.fake.statuses("acme", "widgets", SHA);
    assert.deepEqual(stored.map((s) => [s.key, s.state]).sort(), [["relay-a", "STOPPED"], ["relay-b", "SUCCESSFUL"]]);
    const listed = await api.listBuildStatuses(repoByName(), SHA);
    assert.deepEqual(listed.map((s) => [s.key, s.state]).sort(), [["relay-a", "STOPPED"], ["relay-b", "SUCCESSFUL"]]);
    assert.ok(listed.every((s) => typeof s.updatedOn === "string"));
    const recent = await api.commitStatuses(repoById(), SHA);
    assert.deepEqual(recent.map((s) => s.key).sort(), ["relay-a", "relay-b"]);
  });

  it("sends the commitstatus fields only: no build number or duration (Cloud's schema has neither); no URL limit", async () => {
    assert.equal(api.limits.statusUrlMax, Infinity, "Cloud documents no maximum for commitstatus.url");
    await api.postBuildStatus(repoByName(), SHA, { key: "relay-n", state: "SUCCESSFUL", name: "N", url: "https://ci.example.com/7", refname: "main", buildNumber: "7", durationMs: 19_000 });
    const [post] = h.fake.callsTo("POST", /\/statuses\/build$/);
    assert.equal(post!.status, 201);
    assert.deepEqual(post!.body, { key: "relay-n", state: "SUCCESSFUL", name: "N", url: "https://ci.example.com/7", refname: "main" });
  });

  it("refuses a key longer than the host's limit before any call", async () => {
    await assert.rejects(api.postBuildStatus(repoByName(), SHA, { key: "k".repeat(41), state: "FAILED" }), PermanentError, "a job fails at once, no retries");
    assert.equal(h.fake.calls.length, 0);
  });

  it("lists every open pull request across pages with reviewers and their states", async () => {
    const bob = { account_id: "712020:bob", uuid: "{0c8b7d0e-0000-4000-8000-0000000000b0}", display_name: "Bob" };
    const carol = { account_id: "712020:carol", uuid: "{0c8b7d0e-0000-4000-8000-0000000000c0}", display_name: "Carol" };
    for (let id = 1; id <= 55; id++) {
      h.fake.addPullRequest("acme", "widgets", {
        id,
        title: `PR ${id}`,
        state: "OPEN",
        author: carol,
        source: { branch: { name: `f/${id}` }, commit: { hash: SHA } },
        destination: { branch: { name: "main" } },
        reviewers: [bob],
        participants: id === 1 ? [{ user: bob, role: "REVIEWER", approved: false, state: "changes_requested" }] : [],
      } as Parameters<typeof h.fake.addPullRequest>[2]);
    }
    const open = await api.openPullRequests(repoById());
    assert.equal(open.pullRequests.length, 55);
    assert.equal(open.calls, 2, "50 per page");
    const first = open.pullRequests.find((p) => p.id === 1)!;
    assert.equal(first.author.displayName, "Carol");
    assert.equal(first.sourceBranch, "f/1");
    assert.deepEqual(first.participants.map((p) => [p.displayName, p.role, p.state]), [["Bob", "REVIEWER", "changes_requested"]]);
    const other = open.pullRequests.find((p) => p.id === 2)!;
    assert.deepEqual(other.participants.map((p) => [p.displayName, p.role, p.state]), [["Bob", "REVIEWER", "pending"]]);
    assert.ok(h.fake.callsTo("GET", /pullrequests/).every((c) => c.path.includes(encodeURIComponent(h.repo.uuid))), "addressed by uuids only");
  });

  it("tells a user's permission, and none for a user without an entry", async () => {
    h.fake.setRepoPermission("acme", "widgets", "712020:admin", "admin");
    const admin = await api.permissionOf(repoById(), "712020:admin");
    assert.equal(admin.permission, "admin");
    assert.equal(admin.repository.id, h.repo.uuid);
    assert.equal(admin.repository.fullName, "acme/widgets");
    assert.equal((await api.permissionOf(repoById(), "712020:nobody")).permission, "none");
  });

  it("streams a commit's archive, and refuses a malformed hash or an unknown commit", async () => {
    h.fake.setArchive("acme", "widgets", SHA, Buffer.from("tar-bytes"));
    const { body } = await api.archive(repoByName(), SHA);
    const chunks: Buffer[] = [];
    for await (const c of body as Readable) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), "tar-bytes");
    await assert.rejects(api.archive(repoByName(), "not-a-sha"), PermanentError);
    await assert.rejects(api.archive(repoById(), SHA), PermanentError, "no workspace/slug: no archive URL");
    await assert.rejects(api.archive(repoByName(), "d".repeat(40)), (err: unknown) => err instanceof HttpError && err.status === 404);
  });
});
