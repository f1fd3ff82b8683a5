import assert from "node:assert/strict";
import { startBed, ebEvent, postEventBridge, settle, jobsOf, statusesOf, statusPosts, SHA, type BuildkiteBed } from "./support";

const GADGETS = { uuid: "{22222222-3333-4444-8555-666666666666}", slug: "gadgets", fullName: "acme/gadgets" };

describe("Buildkite: from a build to a repository, filters", () => {
  let bed: BuildkiteBed;
  const settings = (values: Record<string, unknown>, repo: { uuid: string; fullName: string } = bed.h.repo) =>
    bed.h.services.settings.update(bed.h.tenant.installation.id, repo, "buildkite", { values }, "test");

  before(async () => {
    bed = await startBed();
    bed.h.fake.addRepository({ workspace: "acme", slug: GADGETS.slug, uuid: GADGETS.uuid, mainBranch: "main", clientKey: bed.h.tenant.clientKey });
  });
  after(async () => {
    await bed.h.close();
  });

  async function lastRoute() {
    return (await jobsOf("buildkite.route")).at(-1)!;
  }

  it("skips HEAD and short commits by default; reports a short SHA once the switch is off", async () => {
    const posts = statusPosts(bed).length;
    await postEventBridge(bed, ebEvent(undefined, { commit: "HEAD", number: 1 }));
    await settle(bed.h);
    assert.match(JSON.stringify((await lastRoute()).result), /not a commit SHA/);
    await postEventBridge(bed, ebEvent(undefined, { commit: "5a741616cdf0", number: 2 }));
    await settle(bed.h);
    assert.match(JSON.stringify((await lastRoute()).result), /not a full SHA/);
    assert.equal(statusPosts(bed).length, posts);

    await settings({ skipNonShaCommits: false });
    try {
      await postEventBridge(bed, ebEvent(undefined, { commit: "HEAD", number: 3 }));
      await settle(bed.h);
      assert.equal(statusPosts(bed).length, posts, "HEAD can never be reported");
      await postEventBridge(bed, ebEvent(undefined, { commit: "5a741616cdf0", number: 4 }));
      await settle(bed.h);
      assert.equal(statusPosts(bed).length, posts + 1);
    } finally {
      await settings({ skipNonShaCommits: true });
    }
  });

  it("skips builds started by a trigger step unless switched off", async () => {
    const commit = "d".repeat(40);
    await postEventBridge(bed, ebEvent(undefined, { commit, source: "trigger_job", number: 1 }));
    await settle(bed.h);
    assert.equal((await lastRoute()).status, "ignored");
    assert.match(JSON.stringify((await lastRoute()).result), /trigger_job/);
    assert.equal(statusesOf(bed, commit).length, 0);
    await settings({ skipTriggerJobs: false });
    try {
      await postEventBridge(bed, ebEvent(undefined, { commit, source: "trigger_job", number: 2 }));
      await settle(bed.h);
      assert.equal(statusesOf(bed, commit).length, 1);
    } finally {
      await settings({ skipTriggerJobs: true });
    }
  });

  it("applies the branch filter (names and * patterns)", async () => {
    await settings({ branches: ["main", "release/*"] });
    try {
      const commit = "e".repeat(40);
      await postEventBridge(bed, ebEvent(undefined, { commit, branch: "feature/x", number: 1 }));
      await settle(bed.h);
      assert.deepEqual((await lastRoute()).result, { reason: 'branch "feature/x" is not in the branch filter' }, "the reason names the build, never a repository");
      await postEventBridge(bed, ebEvent(undefined, { commit, branch: "release/1.2", number: 2 }));
      await settle(bed.h);
      assert.equal(statusesOf(bed, commit)[0]!.refname, "release/1.2");
    } finally {
      await settings({ branches: [] });
    }
  });

  it("compares branch names in NFC: a filter typed as feature/über-* matches a build on the decomposed name (issue 15.10)", async () => {
    await settings({ branches: ["feature/\u00fcber-*"] }); // typed on a keyboard: NFC
    try {
      const commit = "7c".repeat(20);
      const nfd = "feature/u\u0308ber-login"; // as macOS tools often send it
      await postEventBridge(bed, ebEvent(undefined, { commit, branch: nfd, number: 1 }));
      await settle(bed.h);
      const posted = statusesOf(bed, commit);
      assert.equal(posted.length, 1, JSON.stringify((await lastRoute()).result));
      assert.equal(posted[0]!.refname, nfd, "the name is echoed exactly as received");
    } finally {
      await settings({ branches: [] });
    }
  });

  it("matches every git URL form of the repository", async () => {
    const forms = [
      "git@bitbucket.org:acme/widgets.git",
      "git@bitbucket.org:acme/widgets",
      "https://bitbucket.org/acme/widgets.git",
      "https://bitbucket.org/acme/widgets",
      "https://jane@bitbucket.org/acme/widgets.git",
      "ssh://git@bitbucket.org/acme/widgets.git",
      "ssh://git@altssh.bitbucket.org:443/Acme/Widgets.git",
    ];
    for (const [i, repo] of forms.entries()) {
      const commit = (i + 1).toString(16).repeat(40);
      await postEventBridge(bed, ebEvent(undefined, { commit, repo, number: 1 }));
      await settle(bed.h);
      assert.equal(statusesOf(bed, commit).length, 1, repo);
    }
    await postEventBridge(bed, ebEvent(undefined, { repo: "git@github.com:acme/widgets.git", number: 1, commit: "f".repeat(40) }));
    await settle(bed.h);
    assert.equal((await lastRoute()).status, "ignored", "another host does not match");
  });

  it("lets an explicit pipeline mapping override URL matching", async () => {
    await settings({ enabled: true, pipelines: ["my-org/my-pipeline"] }, GADGETS);
    try {
      const commit = "9".repeat(40);
      await postEventBridge(bed, ebEvent(undefined, { commit, number: 1 }));
      await settle(bed.h);
      assert.equal(bed.h.fake.statuses("acme", "gadgets", commit).length, 1, "reported to the mapped repository");
      assert.equal(statusesOf(bed, commit).length, 0, "not to the repository its URL names");
      const route = await lastRoute();
      assert.equal((route.result as { via: string }).via, "mapping");
    } finally {
      await settings({ enabled: false, pipelines: [] }, GADGETS);
    }
  });

  it("maps a pipeline without a repository URL (quick-start example) by slug", async () => {
    await settings({ pipelines: ["test-pipeline"] });
    try {
      const commit = "8".repeat(40);
      await postEventBridge(bed, ebEvent("eventbridge-build-finished-quickstart-minimal.json", { commit, repo: null }));
      await settle(bed.h);
      const [status] = statusesOf(bed, commit);
      assert.equal(status!.key, "buildkite-test-pipeline");
      assert.equal(status!.url, "https://buildkite.com/test-organization/test-pipeline/builds/75");
    } finally {
      await settings({ pipelines: [] });
    }
  });

  it("reports nothing to a repository with Buildkite switched off", async () => {
    await settings({ enabled: false });
    try {
      const posts = statusPosts(bed).length;
      await postEventBridge(bed, ebEvent(undefined, { commit: SHA, number: 9999 }));
      await settle(bed.h);
      assert.equal(statusPosts(bed).length, posts);
      assert.equal((await lastRoute()).status, "ignored");
    } finally {
      await settings({ enabled: true });
    }
  });

  it("rejects invalid settings with a reason and stores nothing", async () => {
    await assert.rejects(settings({ pipelines: ["not a slug!"] }), /pipelines/);
    await assert.rejects(settings({ awsRoleArn: "arn:aws:s3:::bucket" }), /awsRoleArn/);
    await assert.rejects(settings({ unknownField: 1 }), /unknownField|Unrecognized/i);
    const doc = await bed.h.services.settings.get(bed.h.tenant.installation.id, bed.h.repo.uuid, "buildkite");
    assert.deepEqual(doc.pipelines, []);
    assert.equal(doc.awsRoleArn, "");
  });
});
