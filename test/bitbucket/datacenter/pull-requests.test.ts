import assert from "node:assert/strict";
import type { DcBitbucketApi } from "../../../src/bitbucket/datacenter/api";
import type { InstallationView } from "../../../src/core/installations";
import { PermanentError } from "../../../src/http/errors";
import type { DataCenterSetup } from "../../helpers/datacenter";
import type { Harness } from "../../helpers/harness";
import { addDcActivity, addDcPullRequest } from "../../fakes/datacenter/routes/pull-requests";
import type { DcUser } from "../../fakes/datacenter";
import { dcApiSuite, refOf } from "./dc-test-kit";

const T0 = Date.parse("2026-11-01T00:00:00Z");
const H = 3_600_000;

/** Pull requests on Data Center: open ones with reviewers (all pages), and history with reviews from activities. */
describe("BitbucketApi: Data Center pull requests", function () {
  this.timeout(60_000);
  let dc: DataCenterSetup;
  let h: Harness;
  let installation: InstallationView;
  let api: DcBitbucketApi;
  let carol: DcUser, bob: DcUser, dan: DcUser, eve: DcUser;
  dcApiSuite((s) => {
    ({ dc, h, installation, api } = s);
    carol = dc.fake.addUser("carol", { displayName: "Carol" });
    bob = dc.fake.addUser("bob", { displayName: "Bob" });
    dan = dc.fake.addUser("dan", { displayName: "Dan" });
    eve = dc.fake.addUser("eve", { displayName: "Eve" });
  });

  it("lists every open pull request over several pages, with reviewers' states, participants who reviewed, and DC people", async () => {
    const repo = dc.fake.addRepository("PROJ", "open-prs");
    for (let i = 1; i <= 230; i++) {
      addDcPullRequest(dc.fake, repo, {
        author: carol,
        title: `PR ${i}`,
        fromBranch: `f/${i}`,
        latestCommit: "e".repeat(40),
        draft: i === 2,
        reviewers: i === 1 ? [{ user: bob, status: "NEEDS_WORK" }, { user: dan, status: "APPROVED" }, { user: eve, status: "UNAPPROVED" }] : [{ user: bob, status: "UNAPPROVED" }],
        participants: i === 1 ? [{ user: dc.service, status: "APPROVED" }, { user: dc.fake.addUser(`commenter${i}`), status: "UNAPPROVED" }] : [],
      });
    }
    addDcPullRequest(dc.fake, repo, { author: carol, state: "MERGED" });
    addDcPullRequest(dc.fake, repo, { author: carol, state: "DECLINED" });
    const open = await api.openPullRequests(refOf(installation, repo));
    assert.equal(open.pullRequests.length, 230);
    assert.equal(open.calls, 3, "pages of 100 followed with start/nextPageStart");
    assert.deepEqual(dc.fake.calls.map((c) => [c.query.state, c.query.start, c.query.limit]), [["OPEN", "0", "100"], ["OPEN", "100", "100"], ["OPEN", "200", "100"]]);
    const first = open.pullRequests.find((p) => p.id === 1)!;
    assert.deepEqual(first.participants.map((p) => [p.displayName, p.role, p.state]), [
      ["Bob", "REVIEWER", "changes_requested"],
      ["Dan", "REVIEWER", "approved"],
      ["Eve", "REVIEWER", "pending"],
      ["Relay bot", "PARTICIPANT", "approved"],
    ]);
    assert.deepEqual(first.author, { accountId: "carol", uuid: String(carol.id), displayName: "Carol", avatarUrl: `${dc.fake.baseUrl}/users/carol/avatar.png?s=48` });
    assert.deepEqual([first.sourceBranch, first.destinationBranch, first.sourceCommit, first.draft], ["f/1", "main", "e".repeat(40), false]);
    assert.equal(first.url, `${dc.fake.baseUrl}/projects/PROJ/repos/open-prs/pull-requests/1`);
    assert.match(first.createdOn, /^\d{4}-\d\d-\d\dT/);
    assert.equal(open.pullRequests.find((p) => p.id === 2)!.draft, true);
  });

  it("history: every state updated since a time, newest update first, bounded pages with an opaque cursor, reviews with their dates", async () => {
    const repo = dc.fake.addRepository("PROJ", "history");
    for (let i = 1; i <= 30; i++) addDcPullRequest(dc.fake, repo, { author: carol, title: `H ${i}`, createdDate: T0 + i * H, updatedDate: T0 + i * H, reviewers: [{ user: bob, status: "APPROVED" }] });
    const merged = addDcPullRequest(dc.fake, repo, { author: carol, state: "MERGED", createdDate: T0, updatedDate: T0 + 40 * H, closedDate: T0 + 40 * H, reviewers: [{ user: bob, status: "APPROVED" }] });
    addDcActivity(dc.fake, repo, merged.id, { action: "OPENED", user: carol, createdDate: T0 });
    addDcActivity(dc.fake, repo, merged.id, { action: "REVIEWED", user: bob, createdDate: T0 + 2 * H });
    addDcActivity(dc.fake, repo, merged.id, { action: "COMMENTED", user: dan, createdDate: T0 + 3 * H });
    addDcActivity(dc.fake, repo, merged.id, { action: "APPROVED", user: bob, createdDate: T0 + 5 * H });
    addDcActivity(dc.fake, repo, merged.id, { action: "MERGED", user: carol, createdDate: T0 + 40 * H });
    const since = new Date(T0 + 5 * H).toISOString(); // H 5 … H 30 and the merged one
    const first = await api.pullRequestHistory(refOf(installation, repo), { since });
    assert.equal(first.pullRequests.length, 25, "one bounded page");
    assert.ok(first.cursor);
    assert.equal(first.calls, 26, "the page and one activities call per pull request");
    const m = first.pullRequests[0]!;
    assert.equal(m.id, merged.id, "most recently updated first");
    assert.deepEqual([m.state, m.closedOn, m.createdOn], ["MERGED", new Date(T0 + 40 * H).toISOString(), new Date(T0).toISOString()]);
    assert.deepEqual(m.reviews.map((r) => [r.reviewer.accountId, r.state, r.on]), [
      ["bob", "changes_requested", new Date(T0 + 2 * H).toISOString()],
      ["bob", "approved", new Date(T0 + 5 * H).toISOString()],
    ]);
    assert.deepEqual(m.reviewers.map((r) => r.accountId), ["bob"]);
    assert.equal(first.pullRequests[1]!.closedOn, null);
    const listCall = dc.fake.calls.find((c) => c.path.endsWith("/pull-requests"))!;
    assert.deepEqual([listCall.query.state, listCall.query.order], ["ALL", "NEWEST"]);
    const second = await api.pullRequestHistory(refOf(installation, repo), { since, cursor: first.cursor });
    assert.deepEqual(second.pullRequests.map((p) => p.title), ["H 6", "H 5"], "stops at the first one updated before `since`");
    assert.equal(second.cursor, null);
    await assert.rejects(api.pullRequestHistory(refOf(installation, repo), { since, cursor: "garbage" }), PermanentError);
  });
});
