import assert from "node:assert/strict";
import { ingest } from "../../../src/pipeline/ingest";
import { dataCenterInstanceId, mintDataCenterRepositoryId } from "../../../src/bitbucket/repository-id";
import { dataCenterClientKey } from "../../../src/datacenter/installations";
import { repositories } from "../../../src/core/repositories";
import { repositoryWebLinks } from "../../../src/bitbucket/web-links";
import { reviewRadar } from "../../../src/integrations/review-radar";
import { classify } from "../../../src/integrations/review-radar/classify";
import { buildDigest } from "../../../src/integrations/review-radar/digest";
import { slackMessage } from "../../../src/integrations/review-radar/chat/slack";
import { currentDigest, sendTestReminder } from "../../../src/integrations/review-radar/reminder";
import type { RadarPullRequest } from "../../../src/integrations/review-radar/model";
import type { HostPullRequest } from "../../../src/bitbucket/host-api";
import type { InstallationView } from "../../../src/core/installations";
import { Harness } from "../../helpers/harness";
import { fakeDataCenter, type DataCenterSetup } from "../../helpers/datacenter";
import { addDcPullRequest } from "../../fakes/datacenter/routes/pull-requests";
import { dcEventFor } from "../../helpers/datacenter-events";
import { QueryTypes } from "sequelize";
import { ChatServer } from "./chat-server";
import { DAY, ago } from "./helpers";

const BASE = "https://git.example.com/bitbucket";
const dcInstallation = { host: "datacenter" as const, baseUrl: BASE };

/** DC people as the DC door and API give them: uuid = the numeric user id as text, accountId = the user slug. */
const DC = {
  author: { accountId: "alice", uuid: "101", displayName: "Alice Author", avatarUrl: null },
  bob: { accountId: "bob", uuid: "102", displayName: "Bob Reviewer", avatarUrl: null },
  carol: { accountId: "carol", uuid: "103", displayName: "Carol Reviewer", avatarUrl: null },
};

function dcPr(id: number, participants: RadarPullRequest["participants"], base = BASE): HostPullRequest {
  return {
    id,
    title: `Change ${id}`,
    url: `${base}/projects/PROJ/repos/widgets/pull-requests/${id}`,
    draft: false,
    author: DC.author,
    createdOn: ago(3 * DAY),
    updatedOn: ago(DAY),
    sourceBranch: `feature/${id}`,
    destinationBranch: "main",
    sourceCommit: "a".repeat(40),
    participants,
  };
}

describe("Review radar on Data Center: people, NEEDS_WORK, links", () => {
  const o = { requiredApprovals: 1, drafts: "separate" as const, ageFrom: "created" as const, ageWarnDays: 2, ageAlertDays: 5 };

  it("NEEDS_WORK (changes requested) waits on the author; the viewer is matched by DC user slug or numeric id", () => {
    const needsWork = dcPr(8, [{ ...DC.bob, role: "REVIEWER", state: "changes_requested" }]);
    const waiting = dcPr(7, [{ ...DC.bob, role: "REVIEWER", state: "pending" }, { ...DC.carol, role: "REVIEWER", state: "approved" }]);
    const unreviewed = dcPr(9, [{ ...DC.bob, role: "REVIEWER", state: "pending" }]);
    for (const viewer of ["bob", "102"]) {
      const sections = classify([needsWork, waiting, unreviewed], viewer, o, Date.now(), () => null);
      const ids = (id: string) => sections.find((s) => s.id === id)!.rows.map((r) => r.id);
      assert.deepEqual(ids("waitingOnAuthor"), [8]);
      assert.deepEqual(ids("needsYourReview"), [9]); // 7 has its one approval
    }
    const mine = classify([needsWork], "alice", o, Date.now(), () => null);
    assert.deepEqual(mine.find((s) => s.id === "yours")!.rows.map((r) => r.id), [8]);
  });

  it("links to DC's pages: the pull request list of a project repository and of a personal one", () => {
    const links = repositoryWebLinks(dcInstallation, "PROJ/widgets")!;
    assert.equal(links.pullRequests, `${BASE}/projects/PROJ/repos/widgets/pull-requests`);
    assert.equal(links.pullRequest(7), `${BASE}/projects/PROJ/repos/widgets/pull-requests/7/overview`);
    assert.equal(links.repository, `${BASE}/projects/PROJ/repos/widgets/browse`);
    assert.equal(repositoryWebLinks(dcInstallation, "~JDOE/dotfiles")!.pullRequests, `${BASE}/users/jdoe/repos/dotfiles/pull-requests`);
    // Cloud: the links the app always wrote.
    const cloud = repositoryWebLinks({ host: "connect", baseUrl: "https://bitbucket.org" }, "acme/widgets")!;
    assert.equal(cloud.pullRequests, "https://bitbucket.org/acme/widgets/pull-requests/");
    const digest = buildDigest("PROJ/widgets", links, [dcPr(7, [{ ...DC.bob, role: "REVIEWER", state: "pending" }])], o, Date.now());
    assert.equal(digest.listUrl, links.pullRequests);
    const text = JSON.stringify(slackMessage(digest));
    assert.ok(text.includes(`<${BASE}/projects/PROJ/repos/widgets/pull-requests|All pull requests>`));
    assert.ok(text.includes(`<${BASE}/projects/PROJ/repos/widgets/pull-requests/7|#7 Change 7>`));
    assert.match(text, /waiting on Bob Reviewer/);
  });
});

describe("Review radar on Data Center: cache emptied by the DC door's events, chat reminder with DC links", function () {
  this.timeout(60_000);
  let dc: DataCenterSetup;
  let chat: ChatServer;
  let h: Harness;
  let installation: InstallationView;
  let repoId: string;

  before(async () => {
    dc = await fakeDataCenter();
    chat = await ChatServer.start();
    h = await Harness.start({ install: false, integrations: [{ ...reviewRadar, background: undefined }], env: dc.env });
    installation = (await h.services.installations.findByClientKey("datacenter", dataCenterClientKey(dataCenterInstanceId(dc.fake.baseUrl))))!;
    repoId = mintDataCenterRepositoryId(dc.fake.baseUrl, dc.repo.id);
    // The DC door remembers PROJ/slug from the repository's deliveries; DC's REST paths need it.
    await repositories.remember(installation, { id: repoId, displayName: "PROJ/widgets" });
    await h.services.settings.update(
      installation.id,
      { uuid: repoId, fullName: "PROJ/widgets" },
      "review-radar",
      { values: { enabled: true, requiredApprovals: 1 }, secrets: { slackWebhookUrl: `${chat.url}/slack` } },
      "admin",
    );
  });

  after(async () => {
    await h?.close();
    await chat?.close();
    await dc?.fake.stop();
  });

  it("a DC reviewer event (mapped to the core's pull request event) empties the cache at once; the test reminder links DC's pages", async () => {
    const base = dc.fake.baseUrl;
    // The pull requests on the fake DC, read through the real DcBitbucketApi.
    const author = dc.fake.addUser("alice", { displayName: "Alice Author" });
    const bob = dc.fake.addUser("bob", { displayName: "Bob Reviewer" });
    const now = Date.now();
    const [pr7, pr8] = [7, 8].map((id) => addDcPullRequest(dc.fake, dc.repo, { id, title: `Change ${id}`, author, reviewers: [{ user: bob, status: "UNAPPROVED" }], createdDate: now - 3 * DAY, updatedDate: now - DAY - id }));
    const settings = await h.services.settings.get(installation.id, repoId, "review-radar");
    const repo = { uuid: repoId, fullName: "PROJ/widgets" };
    assert.equal((await currentDigest(h.services, installation, repo, settings)).waiting, 2);

    // Bob marks #8 "needs work" on DC: the door stores the core's changes-request event for the DC repository.
    pr8!.reviewers[0]!.status = "NEEDS_WORK";
    assert.equal((await currentDigest(h.services, installation, repo, settings)).waiting, 2, "still the cached list");
    await ingest(h.services, {
      installationId: installation.id,
      source: "datacenter",
      eventKey: "pullrequest:changes_request_created",
      idempotencyKey: "dc-needs-work-1",
      repository: { uuid: repoId, fullName: "PROJ/widgets" },
      payload: { repository: { uuid: repoId, full_name: "PROJ/widgets" }, pullrequest: { id: 8 } },
    });
    const after = await currentDigest(h.services, installation, repo, settings);
    assert.equal(after.waiting, 1);
    assert.deepEqual(after.digest.items.map((i) => i.id), [7]);

    const res = await sendTestReminder({ services: h.services, installation, repository: repo, settings, actor: "admin" });
    assert.equal(res.ok, true, res.message);
    const body = JSON.stringify(chat.posts.find((p) => p.path === "/slack")!.body);
    assert.ok(body.includes(`<${base}/projects/PROJ/repos/widgets/pull-requests|All pull requests>`), body);
    assert.ok(body.includes("waiting for review in PROJ/widgets"));

    // DC's raw event (as the DC door stores it, before its translation job runs) empties the cache in the
    // transaction that stores it: the first view after DC's 2xx is fresh.
    pr7!.reviewers[0]!.status = "APPROVED";
    assert.equal((await currentDigest(h.services, installation, repo, settings)).waiting, 1, "still the cached list");
    await ingest(h.services, {
      installationId: installation.id,
      source: "datacenter",
      eventKey: "pr:reviewer:approved",
      idempotencyKey: "dc-approved-1",
      repository: { uuid: repoId, fullName: "PROJ/widgets" },
      payload: dcEventFor(dc.fake, dc.repo, "pr-reviewer-approved.go-playground.json"),
    });
    const cached = await h.services.db.sequelize.query<{ payload: string | null }>("SELECT payload FROM review_radar_pr_cache WHERE repository_uuid = :id", { replacements: { id: repoId }, type: QueryTypes.SELECT });
    assert.equal(cached[0]!.payload, null, "emptied by the raw DC event's ingest hook");
    assert.deepEqual((await currentDigest(h.services, installation, repo, settings)).waiting, 0);
    await h.drained();
  });
});
