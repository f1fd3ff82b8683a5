import assert from "node:assert/strict";
import type { DcBitbucketApi } from "../../../src/bitbucket/datacenter/api";
import type { InstallationView } from "../../../src/core/installations";
import { PermanentError } from "../../../src/http/errors";
import type { DataCenterSetup } from "../../helpers/datacenter";
import type { Harness } from "../../helpers/harness";
import { dcBuilds } from "../../fakes/datacenter/routes/builds";
import { dcApi, dcApiSuite, refOf } from "./dc-test-kit";

const SHA = "c".repeat(40);

/** Build statuses on Data Center: the repository-based builds API, the legacy fallback, limits, state mapping. */
describe("BitbucketApi: Data Center build statuses", function () {
  this.timeout(60_000);
  let dc: DataCenterSetup;
  let h: Harness;
  let installation: InstallationView;
  let api: DcBitbucketApi;
  const posts = () => dc.fake.calls.filter((c) => c.method === "POST");
  dcApiSuite((s) => ({ dc, h, installation, api } = s));
  beforeEach(() => {
    dcBuilds(dc.fake).capabilities = ["richBuildStatus", "cancelledStatus"];
    dcBuilds(dc.fake).byCommit.clear();
    api.capabilities.forget();
  });

  it("posts with the repository-based API (255-character key, fully qualified ref, 204), asking capabilities once per installation", async () => {
    const key = "k".repeat(255);
    await api.postBuildStatus(refOf(installation, dc.repo), SHA, { key, state: "INPROGRESS", name: "Pipeline", url: "https://ci.example.com/1", refname: "main", description: "running" });
    await dcApi(h, installation).postBuildStatus(refOf(installation, dc.repo), SHA, { key, state: "SUCCESSFUL", url: "https://ci.example.com/1", refname: "refs/heads/release/1" });
    assert.equal(dc.fake.calls.filter((c) => c.path === "/rest/api/latest/build/capabilities").length, 1, "cached for the installation across API instances");
    assert.deepEqual(posts().map((c) => [c.path, c.status]), [
      [`/rest/api/latest/projects/PROJ/repos/widgets/commits/${SHA}/builds`, 204],
      [`/rest/api/latest/projects/PROJ/repos/widgets/commits/${SHA}/builds`, 204],
    ]);
    assert.deepEqual(posts()[0]!.body, { key, state: "INPROGRESS", url: "https://ci.example.com/1", name: "Pipeline", description: "running", ref: "refs/heads/main" });
    const stored = dcBuilds(dc.fake).statuses(SHA);
    assert.deepEqual(stored.map((s) => [s.state, s.ref, s.repositoryId]), [["SUCCESSFUL", "refs/heads/release/1", dc.repo.id]], "same key overwrites");
  });

  it("a finished build posts its buildNumber and duration (ms) with the repository-based API; a running one no duration", async () => {
    const ref = refOf(installation, dc.repo);
    const url = "https://ci.example.com/pipeline/builds/42";
    await api.postBuildStatus(ref, SHA, { key: "ci", state: "INPROGRESS", url, refname: "main", buildNumber: "42" });
    assert.deepEqual(posts()[0]!.body, { key: "ci", state: "INPROGRESS", url, ref: "refs/heads/main", buildNumber: "42" });
    assert.deepEqual(dcBuilds(dc.fake).statuses(SHA).map((s) => [s.buildNumber, s.duration]), [["42", undefined]]);
    await api.postBuildStatus(ref, SHA, { key: "ci", state: "SUCCESSFUL", url, refname: "main", buildNumber: "42", durationMs: 1_470_701 });
    assert.deepEqual(posts()[1]!.body, { key: "ci", state: "SUCCESSFUL", url, ref: "refs/heads/main", buildNumber: "42", duration: 1_470_701 });
    assert.deepEqual(dcBuilds(dc.fake).statuses(SHA).map((s) => [s.state, s.buildNumber, s.duration]), [["SUCCESSFUL", "42", 1_470_701]], "DC keeps them (the spec's RestBuildStatus)");
    assert.ok(posts().every((c) => c.status === 204 && c.path.endsWith("/builds")));
  });

  it("leaves out a buildNumber over 255 characters (not cut: it would name another run) and a duration that is not a non-negative number", async () => {
    const ref = refOf(installation, dc.repo);
    await api.postBuildStatus(ref, SHA, { key: "ci", state: "FAILED", url: "https://ci.example.com/1", buildNumber: "9".repeat(256), durationMs: -5 });
    await api.postBuildStatus(ref, SHA, { key: "ci", state: "FAILED", url: "https://ci.example.com/1", buildNumber: "9".repeat(255), durationMs: 1500.4 });
    assert.deepEqual(posts().map((c) => c.body), [
      { key: "ci", state: "FAILED", url: "https://ci.example.com/1" },
      { key: "ci", state: "FAILED", url: "https://ci.example.com/1", buildNumber: "9".repeat(255), duration: 1500 },
    ]);
    assert.ok(posts().every((c) => c.status === 204));
  });

  it("the legacy resource gets no buildNumber or duration (it documents key, state, url, name, description only)", async () => {
    dcBuilds(dc.fake).capabilities = null;
    await api.postBuildStatus(refOf(installation, dc.repo), SHA, { key: "old", state: "SUCCESSFUL", url: "https://ci.example.com/old", name: "Old", refname: "main", buildNumber: "7", durationMs: 19_000 });
    assert.deepEqual(posts().map((c) => [c.path, c.status]), [[`/rest/build-status/latest/commits/${SHA}`, 204]]);
    assert.deepEqual(posts()[0]!.body, { key: "old", state: "SUCCESSFUL", url: "https://ci.example.com/old", name: "Old" });
  });

  it("the API's limits say what the host takes: key 255, URL 450 (the caller fits them)", () => {
    assert.deepEqual(api.limits, { statusKeyMax: 255, statusUrlMax: 450 });
  });

  it("refuses a key over 255, a URL over 450 or no URL before any call (PermanentError)", async () => {
    const ref = refOf(installation, dc.repo);
    await assert.rejects(api.postBuildStatus(ref, SHA, { key: "k".repeat(256), state: "FAILED", url: "https://ci.example.com/1" }), PermanentError);
    await assert.rejects(api.postBuildStatus(ref, SHA, { key: "k", state: "FAILED", url: `https://ci.example.com/${"u".repeat(430)}` }), PermanentError);
    await assert.rejects(api.postBuildStatus(ref, SHA, { key: "k", state: "FAILED" }), PermanentError);
    assert.equal(dc.fake.calls.length, 0);
    await api.postBuildStatus(ref, SHA, { key: "k", state: "FAILED", url: `https://ci.example.com/${"u".repeat(427)}`, name: "n".repeat(300) });
    assert.equal(dcBuilds(dc.fake).statuses(SHA)[0]!.url.length, 450, "450 is the limit, not over it");
    assert.equal(dcBuilds(dc.fake).statuses(SHA)[0]!.name!.length, 255, "texts trimmed to what DC stores");
  });

  it("STOPPED is CANCELLED when the instance advertises cancelledStatus, else FAILED with a 'Stopped' description", async () => {
    const ref = refOf(installation, dc.repo);
    await api.postBuildStatus(ref, SHA, { key: "a", state: "STOPPED", url: "https://ci.example.com/a" });
    dcBuilds(dc.fake).capabilities = ["richBuildStatus"];
    api.capabilities.forget();
    await api.postBuildStatus(ref, SHA, { key: "b", state: "STOPPED", url: "https://ci.example.com/b", description: "cancelled by Ann" });
    assert.deepEqual(dcBuilds(dc.fake).statuses(SHA).map((s) => [s.key, s.state, s.description]), [["a", "CANCELLED", undefined], ["b", "FAILED", "Stopped: cancelled by Ann"]]);
  });

  it("falls back to the legacy resource when the instance has no build capabilities (404) or no richBuildStatus; STOPPED → FAILED there", async () => {
    const ref = refOf(installation, dc.repo);
    dcBuilds(dc.fake).capabilities = null;
    await api.postBuildStatus(ref, SHA, { key: "old", state: "STOPPED", url: "https://ci.example.com/old", refname: "main" });
    dcBuilds(dc.fake).capabilities = ["somethingElse"];
    api.capabilities.forget();
    await api.postBuildStatus(ref, SHA, { key: "older", state: "SUCCESSFUL", url: "https://ci.example.com/older" });
    assert.deepEqual(posts().map((c) => [c.path, c.status]), [
      [`/rest/build-status/latest/commits/${SHA}`, 204],
      [`/rest/build-status/latest/commits/${SHA}`, 204],
    ]);
    assert.deepEqual(posts()[0]!.body, { key: "old", state: "FAILED", url: "https://ci.example.com/old", description: "Stopped" }, "no ref: the legacy resource has none");
    assert.deepEqual(dcBuilds(dc.fake).statuses(SHA).map((s) => [s.key, s.repositoryId]), [["old", null], ["older", null]]);
  });

  it("lists a commit's statuses from the legacy resource, newest first, in host-neutral terms (CANCELLED and UNKNOWN read as STOPPED)", async () => {
    const ref = refOf(installation, dc.repo);
    const store = dcBuilds(dc.fake);
    store.put(SHA, { key: "ok", state: "SUCCESSFUL", url: "https://ci.example.com/ok", name: "OK", ref: "refs/heads/main", repositoryId: dc.repo.id });
    store.put(SHA, { key: "gone", state: "CANCELLED", url: "https://ci.example.com/gone", repositoryId: dc.repo.id });
    store.put(SHA, { key: "what", state: "UNKNOWN", url: "https://ci.example.com/what", repositoryId: null });
    const listed = await api.listBuildStatuses(ref, SHA);
    assert.deepEqual(listed.map((s) => [s.key, s.state, s.refname]), [["what", "STOPPED", null], ["gone", "STOPPED", null], ["ok", "SUCCESSFUL", "main"]]);
    assert.ok(listed.every((s) => typeof s.updatedOn === "string" && !Number.isNaN(Date.parse(s.updatedOn))));
    const call = dc.fake.calls.at(-1)!;
    assert.equal(call.path, `/rest/build-status/latest/commits/${SHA}`);
    assert.equal(call.query.orderBy, "NEWEST");
  });

  it("commitStatuses reads one page of the 100 most recent; listBuildStatuses follows the pages", async () => {
    const store = dcBuilds(dc.fake);
    for (let i = 0; i < 130; i++) store.put(SHA, { key: `k${i}`, state: "SUCCESSFUL", url: "https://ci.example.com/x", repositoryId: dc.repo.id });
    const recent = await api.commitStatuses(refOf(installation, dc.repo), SHA);
    assert.equal(recent.length, 100, "DC keeps the most recent 100 on this resource");
    assert.equal(recent[0]!.key, "k129");
    assert.equal(dc.fake.calls.length, 1);
    dc.fake.calls = [];
    const all = await api.listBuildStatuses(refOf(installation, dc.repo), SHA);
    assert.equal(all.length, 100);
    assert.equal(dc.fake.calls.length, 1, "one page of 100 holds them");
  });

  it("a body DC refuses (400) surfaces DC's field message", async () => {
    await assert.rejects(api.postBuildStatus(refOf(installation, dc.repo), "not-a-commit", { key: "k", state: "FAILED", url: "https://ci.example.com/1" }), (err: unknown) => {
      assert.match(String((err as Error).message), /^bitbucket answered 400: commitId: an invalid commit hash was provided$/);
      return true;
    });
  });
});
