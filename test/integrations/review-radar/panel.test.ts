import assert from "node:assert/strict";
import { Harness } from "../../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../../helpers/fixtures";
import { Job } from "../../../src/models";
import { reviewRadar } from "../../../src/integrations/review-radar";
import { CommitStatusStore } from "../../../src/integrations/review-radar/status-store";
import { addPr, ago, api, bootstrapOf, DAY, panel, panelUrl, PEOPLE, prListCalls, section, session, sha } from "./helpers";
import { pageApiTokenFor } from "../../web/support";

/** The radar without its real-clock reminder scheduler (reminder tests drive a fake clock). */
const integrations = [{ ...reviewRadar, background: undefined }];

describe("review radar: panel page and API", () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.start({ integrations });
  });
  afterEach(async () => {
    await h.close();
  });

  describe("the iframe page", () => {
    it("refuses a load without a valid Connect JWT", async () => {
      const missing = await h.get(`/connect/panel/review-radar?repoUuid=${encodeURIComponent(h.repo.uuid)}`);
      assert.equal(missing.status, 401);
      const url = panelUrl(h);
      const tampered = url.replace(/jwt=([^&]+)/, (_m, t: string) => `jwt=${t.slice(0, -4)}AAAA`);
      assert.equal((await h.get(tampered)).status, 401);
      const expired = await h.get(panelUrl(h, { expiresIn: -60 }));
      assert.equal(expired.status, 401);
      const wrongQsh = url.replace("repoPath=acme%2Fwidgets", "repoPath=evil%2Frepo");
      assert.equal((await h.get(wrongQsh)).status, 401);
    });

    it("serves the page shell with the session token, repository, viewer and bundle, without all.js in tests", async () => {
      const res = await h.get(panelUrl(h));
      assert.equal(res.status, 200);
      assert.match(String(res.headers["content-type"]), /text\/html/);
      assert.equal(res.headers["cache-control"], "no-store");
      assert.match(res.text, /<div id="root"><\/div>/);
      assert.match(res.text, /<script type="module" src="\/static\/build\/review-radar-[A-Z0-9]{8}\.js"><\/script>/);
      assert.doesNotMatch(res.text, /atlassian-connect\/all\.js/);
      const boot = bootstrapOf(res.text);
      assert.equal(boot.repository.uuid, h.repo.uuid);
      assert.equal(boot.repository.fullName, "acme/widgets");
      assert.equal(boot.viewer.accountId, PEOPLE.viewer.account_id);
      assert.ok(boot.token && boot.token.split(".").length === 3);
    });

    it("serves the built bundle under /static by its hashed name and 404s unknown files", async () => {
      const script = /<script type="module" src="([^"]+)"/.exec((await h.get(panelUrl(h))).text)![1]!;
      const js = await h.get(script);
      assert.equal(js.status, 200);
      assert.ok(js.text.length > 1000);
      const missing = await h.get("/static/build/nope.js");
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.json(), { error: "not found" });
    });
  });

  describe("sections", () => {
    it("sorts PRs into needs-your-review, needs-review, waiting-on-author, yours and drafts, oldest first", async () => {
      const reviewer = (who: typeof PEOPLE.bob, o: { approved?: boolean; state?: "approved" | "changes_requested" | null } = {}) => ({
        user: who,
        role: "REVIEWER" as const,
        approved: o.approved ?? false,
        state: o.state ?? (o.approved ? ("approved" as const) : null),
      });
      addPr(h, { id: 1, title: "Viewer must review", created_on: ago(1 * DAY), participants: [reviewer(PEOPLE.viewer), reviewer(PEOPLE.bob)] });
      addPr(h, { id: 2, title: "One approval", created_on: ago(2.5 * DAY), participants: [reviewer(PEOPLE.bob, { approved: true }), reviewer(PEOPLE.carol)] });
      addPr(h, { id: 3, title: "Enough approvals", participants: [reviewer(PEOPLE.bob, { approved: true }), reviewer(PEOPLE.carol, { approved: true })] });
      addPr(h, { id: 4, title: "Changes requested", participants: [reviewer(PEOPLE.bob, { state: "changes_requested" })] });
      addPr(h, { id: 5, title: "Draft", draft: true, participants: [reviewer(PEOPLE.bob)] });
      addPr(h, { id: 6, title: "My own", author: PEOPLE.viewer, participants: [reviewer(PEOPLE.bob)] });
      addPr(h, { id: 7, title: "Oldest, no reviewers", created_on: ago(4 * DAY) });
      addPr(h, { id: 8, title: "Viewer already approved", participants: [reviewer(PEOPLE.viewer, { approved: true })] });
      addPr(h, { id: 9, title: "Merged", state: "MERGED" });
      const token = await session(h);
      const view = await panel(h, token);

      assert.equal(view.openPullRequests, 8);
      assert.deepEqual(section(view, "needsYourReview").rows.map((r) => r.id), [1]);
      assert.deepEqual(section(view, "needsReview").rows.map((r) => r.id), [7, 2, 8]);
      assert.deepEqual(section(view, "waitingOnAuthor").rows.map((r) => r.id), [4]);
      assert.deepEqual(section(view, "yours").rows.map((r) => r.id), [6]);
      assert.deepEqual(section(view, "drafts").rows.map((r) => r.id), [5]);
      assert.ok(!view.sections.some((s) => s.rows.some((r) => r.id === 3 || r.id === 9)), "approved and merged PRs are not listed");

      const two = section(view, "needsReview").rows.find((r) => r.id === 2)!;
      assert.equal(two.approvals, 1);
      assert.equal(two.required, 2);
      assert.equal(two.ageLevel, "warn");
      assert.deepEqual(two.reviewers.map((r) => [r.displayName, r.state]), [["Bob Reviewer", "approved"], ["Carol Reviewer", "pending"]]);
      assert.equal(section(view, "needsReview").rows[0]!.ageLevel, "alert");
      assert.equal(section(view, "needsYourReview").rows[0]!.ageLevel, "fresh");
      assert.ok(two.url?.endsWith("/acme/widgets/pull-requests/2"));

      const list = prListCalls(h);
      assert.equal(list.length, 1);
      assert.equal(list[0]!.query.pagelen, "50");
      assert.equal(list[0]!.query.state, "OPEN");
      assert.match(String(list[0]!.query.fields), /\+values\.participants/);
    });

    it("follows repository settings: required approvals, hidden drafts, age thresholds", async () => {
      addPr(h, { id: 1, created_on: ago(1.5 * DAY), participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: true, state: "approved" }] });
      addPr(h, { id: 2, draft: true });
      await h.services.settings.update(h.tenant.installation.id, { uuid: h.repo.uuid }, "review-radar", { values: { requiredApprovals: 1, drafts: "hide", ageWarnDays: 1, ageAlertDays: 1.2 } }, "test");
      const view = await panel(h, await session(h));
      assert.equal(view.settings.requiredApprovals, 1);
      assert.equal(view.sections.reduce((n, s) => n + s.total, 0), 0, "one approval is enough and drafts are hidden");

      await h.services.settings.update(h.tenant.installation.id, { uuid: h.repo.uuid }, "review-radar", { values: { requiredApprovals: 3 } }, "test");
      const again = await panel(h, await session(h));
      const row = section(again, "needsReview").rows[0]!;
      assert.equal(row.required, 3);
      assert.equal(row.ageLevel, "alert");
    });

    it("treats a participant's changes request as waiting on the author even when not a reviewer", async () => {
      addPr(h, { id: 1, participants: [{ user: PEOPLE.carol, role: "PARTICIPANT", approved: false, state: "changes_requested" }] });
      const view = await panel(h, await session(h));
      assert.deepEqual(section(view, "waitingOnAuthor").rows.map((r) => r.id), [1]);
      assert.equal(section(view, "waitingOnAuthor").rows[0]!.changesRequested, true);
    });
  });

  describe("few Bitbucket calls", () => {
    it("pages through 120 PRs with 3 calls cold and none while cached", async () => {
      for (let i = 1; i <= 120; i++) addPr(h, { id: i, created_on: ago(i * 3_600_000) });
      const token = await session(h);
      h.fake.resetCalls();
      const cold = await panel(h, token);
      assert.equal(cold.openPullRequests, 120);
      assert.equal(cold.fromCache, false);
      assert.equal(prListCalls(h).length, 3);
      assert.equal(h.fake.calls.length, 3, "nothing but the three list pages");
      assert.equal(section(cold, "needsReview").total, 120);
      assert.equal(section(cold, "needsReview").rows.length, 5, "five rows per section until expanded");
      assert.equal(section(cold, "needsReview").rows[0]!.id, 120, "oldest first");

      h.fake.resetCalls();
      const warm = await panel(h, token);
      assert.equal(warm.fromCache, true);
      assert.equal(h.fake.calls.length, 0);
    });

    it("empties the cache on pullrequest webhooks and shows the change on the next load", async () => {
      addPr(h, { id: 1, participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: false, state: null }] });
      const token = await session(h);
      const before = await panel(h, token);
      assert.equal(section(before, "needsReview").rows[0]!.approvals, 0);

      addPr(h, { id: 1, participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: true, state: "approved" }, { user: PEOPLE.carol, role: "REVIEWER", approved: true, state: "approved" }] });
      h.fake.resetCalls();
      assert.equal((await panel(h, token)).fromCache, true, "without a webhook the cache still answers");
      assert.equal(h.fake.calls.length, 0);

      const payload = forRepository(bitbucketWebhook("pullrequest-approved.real-2023.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName });
      const res = await h.webhook("pullrequest:approved", payload);
      assert.equal(res.status, 204);

      const after = await panel(h, token);
      assert.equal(after.fromCache, false);
      assert.equal(prListCalls(h).length, 1);
      assert.equal(after.sections.reduce((n, s) => n + s.total, 0), 0, "two approvals: nothing needs review");
    });

    it("keeps one status per key whichever Unicode form the key arrives in (issue 15.10)", async () => {
      const store = new CommitStatusStore(h.services.db);
      const inst = h.tenant.installation.id;
      const at = (s: number) => new Date(Date.UTC(2026, 10, 20, 8, 0, s)).toISOString();
      await store.applyWebhook(inst, h.repo.uuid, sha(9), { key: "d\u00e9ploy", state: "FAILED", name: "Deploy", url: null, updatedOn: at(1) });
      await store.applyWebhook(inst, h.repo.uuid, sha(9), { key: "de\u0301ploy", state: "SUCCESSFUL", name: "Deploy", url: null, updatedOn: at(2) });
      const stored = (await store.get(inst, h.repo.uuid, [sha(9)])).get(sha(9).slice(0, 12))!;
      assert.equal(stored.length, 1, JSON.stringify(stored));
      assert.equal(stored[0]!.state, "SUCCESSFUL", "the newer status replaced the older one of the same key");
      assert.equal(stored[0]!.key, "de\u0301ploy", "stored as received");
    });

    it("looks build statuses up once per unknown commit, marks failing builds, and learns them from webhooks", async () => {
      addPr(h, { id: 1 });
      addPr(h, { id: 2 });
      addPr(h, { id: 3 });
      const client = h.services.bitbucketFor(h.tenant.installation);
      const statusPath = (n: number) => `/2.0/repositories/acme/widgets/commit/${sha(n)}/statuses/build`;
      await client.post(statusPath(1), { key: "ci", state: "FAILED", name: "CI #1", url: "https://ci.example/1" });
      await client.post(statusPath(1), { key: "lint", state: "SUCCESSFUL", name: "Lint", url: "https://ci.example/l1" });
      await client.post(statusPath(2), { key: "ci", state: "SUCCESSFUL", name: "CI #2", url: "https://ci.example/2" });

      const token = await session(h);
      const view = await panel(h, token);
      const missing = [...view.missingStatuses].sort();
      assert.deepEqual(missing, [sha(1), sha(2), sha(3)].map((s) => s.slice(0, 12)).sort());

      h.fake.resetCalls();
      const res = await api(h, token, "POST", "/review-radar/statuses", { repoUuid: h.repo.uuid, commits: [...missing, "deadbeefdeadbeef"] });
      assert.equal(res.status, 200);
      const { builds } = res.json<{ builds: Record<string, { state: string; failing: boolean; name: string } | null> }>();
      assert.equal(h.fake.callsTo("GET", /\/statuses$/).length, 3, "one call per PR commit; a commit of no open PR is not looked up");
      assert.equal(builds[sha(1).slice(0, 12)]?.state, "FAILED");
      assert.equal(builds[sha(1).slice(0, 12)]?.failing, true);
      assert.equal(builds[sha(2).slice(0, 12)]?.state, "SUCCESSFUL");
      assert.equal(builds[sha(3).slice(0, 12)], null);

      h.fake.resetCalls();
      const known = await panel(h, token);
      assert.deepEqual(known.missingStatuses, []);
      assert.equal(h.fake.calls.length, 0);
      assert.equal(known.sections.flatMap((s) => s.rows).find((r) => r.id === 1)?.build?.failing, true);

      // A status webhook for PR 3's commit: known without any call.
      const hook = forRepository(bitbucketWebhook("repo-commit_status_created.go-playground.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName });
      const status = (hook as unknown as { commit_status: Record<string, unknown> }).commit_status;
      status.state = "INPROGRESS";
      status.key = "deploy";
      status.commit = { ...(status.commit as object), hash: sha(3) };
      status.links = { ...(status.links as object), commit: { href: `https://api.bitbucket.org/2.0/repositories/acme/widgets/commit/${sha(3)}` } };
      assert.equal((await h.webhook("repo:commit_status_created", hook)).status, 204);
      await waitFor(async () => (await Job.findOne({ where: { handler: "review-radar.commit-status", status: "done" } })) !== null, "status job");
      const learned = await panel(h, token);
      assert.equal(learned.sections.flatMap((s) => s.rows).find((r) => r.id === 3)?.build?.state, "INPROGRESS");
      assert.equal(h.fake.calls.length, 0);
    });
  });

  describe("errors and isolation", () => {
    it("answers bad input with 400 and a short reason", async () => {
      const token = await session(h);
      const noRepo = await api(h, token, "GET", "/review-radar/panel");
      assert.equal(noRepo.status, 400);
      assert.match(noRepo.json<{ error: string }>().error, /repoUuid/);
      const badCommits = await api(h, token, "POST", "/review-radar/statuses", { repoUuid: h.repo.uuid, commits: ["not a sha"] });
      assert.equal(badCommits.status, 400);
      const extra = await api(h, token, "POST", "/review-radar/statuses", { repoUuid: h.repo.uuid, commits: [sha(1)], more: 1 });
      assert.equal(extra.status, 400);
    });

    it("refuses the API without a session token", async () => {
      const res = await h.get(`/connect/api/review-radar/panel?repoUuid=${encodeURIComponent(h.repo.uuid)}`);
      assert.equal(res.status, 401);
    });

    it("answers 502 when Bitbucket keeps failing, and caches nothing", async () => {
      addPr(h, { id: 1 });
      const token = await session(h);
      h.fake.inject({ method: "GET", path: /\/pullrequests$/, status: 500, times: 10 });
      const res = await api(h, token, "GET", `/review-radar/panel?repoUuid=${encodeURIComponent(h.repo.uuid)}`);
      assert.equal(res.status, 502);
      h.fake.clearInjections();
      const ok = await panel(h, token);
      assert.equal(ok.fromCache, false);
      assert.equal(ok.openPullRequests, 1);
    });

    it("never shows another installation's repository", async () => {
      addPr(h, { id: 1 });
      const owner = await session(h);
      assert.equal((await panel(h, owner)).openPullRequests, 1);

      const other = await h.install({ workspace: { uuid: "{99999999-8888-4777-8666-555555555555}", slug: "other" }, repo: false });
      await assert.rejects(session(h, { tenant: other }), /panel page answered 401/, "the other workspace's panel is not opened for this repository");
      const intruder = pageApiTokenFor(other, PEOPLE.viewer.account_id, h.repo.uuid);
      const res = await api(h, intruder, "GET", `/review-radar/panel?repoUuid=${encodeURIComponent(h.repo.uuid)}`);
      assert.equal(res.status, 401);
      assert.match(res.json<{ error: string }>().error, /no such repository/);
    });
  });
});
