import assert from "node:assert/strict";
import { parseBitbucketEvent, type BitbucketEventKey } from "../../src/bitbucket/events";
import { mintDataCenterRepositoryId } from "../../src/bitbucket/repository-id";
import { mapDataCenterEvent, type MappedDcEvent } from "../../src/datacenter/events/mapping";
import { isDcEventKey, parseDcEvent, type DcEventKey } from "../../src/datacenter/events/payloads";
import { DC_EVENT_FIXTURES, dcFixture } from "../helpers/datacenter-events";

const BASE = "https://git.example.com/bitbucket";
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Parses a body as DC's event, maps it, and checks every mapped event against the core's schemas. */
function mapped(body: Json, key = body.eventKey as DcEventKey): MappedDcEvent[] {
  const parsed = parseDcEvent(key, body);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
  const out = mapDataCenterEvent(BASE, key, parsed.payload);
  for (const m of out) {
    const valid = parseBitbucketEvent(m.eventKey as BitbucketEventKey, m.payload);
    assert.ok(valid.ok, valid.ok ? "" : valid.reason);
  }
  return out;
}

const one = (body: Json, key?: DcEventKey): { eventKey: string; p: Json } => {
  const out = mapped(body, key);
  assert.equal(out.length, 1);
  return { eventKey: out[0]!.eventKey, p: out[0]!.payload };
};

describe("Data Center events → the core's (Bitbucket Cloud webhook) events", () => {
  it("every fixture is a DC event the app receives and maps onto valid core events", () => {
    assert.ok(DC_EVENT_FIXTURES.length >= 8, DC_EVENT_FIXTURES.join(","));
    for (const file of DC_EVENT_FIXTURES) {
      const body = dcFixture<Json>(file);
      assert.ok(isDcEventKey(body.eventKey), `${file}: ${body.eventKey}`);
      assert.ok(mapped(body).length >= 1, file);
    }
  });

  it("repo:refs_changed UPDATE (Jenkins fixture) → repo:push of the branch from fromHash to toHash; repository and actor in the core's terms", () => {
    const { eventKey, p } = one(dcFixture("repo-refs_changed.jenkins-fixture.json"));
    assert.equal(eventKey, "repo:push");
    assert.equal(p.repository.uuid, mintDataCenterRepositoryId(BASE, 99));
    assert.equal(p.repository.full_name, "ABC/some-repo-slug");
    assert.equal(p.repository.links.html.href, `${BASE}/projects/ABC/repos/some-repo-slug/browse`);
    assert.deepEqual(p.actor, { type: "user", uuid: "99", account_id: "me-slug", display_name: "me display name", nickname: "me-name", links: { html: { href: `${BASE}/users/me-slug` } } });
    const [change] = p.push.changes;
    assert.deepEqual(change.old, { name: "master", type: "branch", target: { type: "commit", hash: "12031f4eb93d80126443c0b299d75f755f4c8ff0" } });
    // The fixture's toHash has 41 characters; it is carried as given, not judged.
    assert.deepEqual(change.new, { name: "master", type: "branch", target: { type: "commit", hash: "2857aa1131679a1c46d79a1097ebab06a6d6291a3" } });
    assert.deepEqual([change.created, change.closed, change.forced], [false, false, false]);
  });

  it("repo:refs_changed DELETE (go-playground, personal project ~gopher) → closed with no new; ADD → created with no old; TAG → tag", () => {
    const body = dcFixture<Json>("repo-refs_changed.go-playground.json");
    const del = one(body).p;
    assert.equal(del.repository.full_name, "~gopher/webhook-test");
    assert.equal(del.repository.links.html.href, `${BASE}/users/gopher/repos/webhook-test/browse`);
    const [c] = del.push.changes;
    assert.deepEqual([c.created, c.closed, c.new], [false, true, null]);
    assert.equal(c.old.target.hash, "32a0b8a740c2963c6f56bd8baf3dc05683d299e0");

    const added = structuredClone(body);
    added.changes = [
      { ...body.changes[0], type: "ADD", fromHash: "0".repeat(40), toHash: "32a0b8a740c2963c6f56bd8baf3dc05683d299e0" },
      { ref: { id: "refs/tags/v1.0", displayId: "v1.0", type: "TAG" }, refId: "refs/tags/v1.0", fromHash: "0".repeat(40), toHash: "cde6c45a4210afe81638aa1f3aa960d633c66a90", type: "ADD" },
    ];
    const pushes = mapped(added);
    assert.equal(pushes.length, 2, "one repo:push per changed ref");
    const [branch, tag] = pushes.map((m) => (m.payload as Json).push.changes[0]);
    assert.deepEqual([branch.created, branch.closed, branch.old, branch.new.name, branch.new.type], [true, false, null, "feature/wip", "branch"]);
    assert.deepEqual([tag.created, tag.new.name, tag.new.type, tag.new.target.hash], [true, "v1.0", "tag", "cde6c45a4210afe81638aa1f3aa960d633c66a90"]);
    assert.notEqual(pushes[0]!.suffix, pushes[1]!.suffix);
  });

  it("pr:opened → pullrequest:created: source/destination branches and commits, author, web link of the pull request", () => {
    const { eventKey, p } = one(dcFixture("pr-opened.jenkins-fixture.json"));
    assert.equal(eventKey, "pullrequest:created");
    const pr = p.pullrequest;
    assert.equal(p.repository.uuid, mintDataCenterRepositoryId(BASE, 99));
    assert.deepEqual([pr.id, pr.state, pr.title, pr.draft], [61, "OPEN", "test", false]);
    assert.deepEqual([pr.source.branch.name, pr.source.commit.hash], ["develop", "2a3416062a594c4a89d3459aef11b10a25e4d28a"]);
    assert.deepEqual([pr.destination.branch.name, pr.destination.commit.hash], ["master", "04051a3ea93c401264e4c0a288e75f544e4c8aa0"]);
    assert.equal(pr.author.account_id, "me-slug");
    assert.equal(pr.created_on, new Date(1580222693069).toISOString());
    assert.equal(pr.links.html.href, `${BASE}/projects/ABC/repos/some-repo-slug/pull-requests/61`);
  });

  it("pr:reviewer:approved → pullrequest:approved with the approval; the reviewer's status becomes the participant state", () => {
    const { eventKey, p } = one(dcFixture("pr-reviewer-approved.go-playground.json"));
    assert.equal(eventKey, "pullrequest:approved");
    assert.deepEqual(p.approval, { date: "2019-03-01T09:35:38.000Z", user: { type: "user", uuid: "2125", account_id: "tux", display_name: "Cain Piper", nickname: "tux", links: { html: { href: `${BASE}/users/tux` } } } });
    assert.deepEqual(p.pullrequest.participants.map((x: Json) => [x.user.account_id, x.role, x.approved, x.state]), [["tux", "REVIEWER", true, "approved"]]);
    assert.equal(p.datacenter.previousStatus, "NEEDS_WORK");
  });

  it("pr:reviewer:needs_work → pullrequest:changes_request_created (DC's key, not changes_requested)", () => {
    const { eventKey, p } = one(dcFixture("pr-reviewer-needs_work.go-playground.json"));
    assert.equal(eventKey, "pullrequest:changes_request_created");
    assert.equal(p.changes_request.user.uuid, "2125");
    assert.equal(p.pullrequest.participants[0].state, "changes_requested");
  });

  it("pr:reviewer:unapproved → pullrequest:unapproved after APPROVED, pullrequest:changes_request_removed after NEEDS_WORK", () => {
    const body = dcFixture<Json>("pr-reviewer-approved.go-playground.json");
    body.eventKey = "pr:reviewer:unapproved";
    body.participant = { ...body.participant, approved: false, status: "UNAPPROVED" };
    body.previousStatus = "APPROVED";
    const withdrawn = one(body);
    assert.equal(withdrawn.eventKey, "pullrequest:unapproved");
    assert.equal(withdrawn.p.approval.user.account_id, "tux");
    body.previousStatus = "NEEDS_WORK";
    const cleared = one(body);
    assert.equal(cleared.eventKey, "pullrequest:changes_request_removed");
    assert.equal(cleared.p.changes_request.user.account_id, "tux");
  });

  it("pr:merged → pullrequest:fulfilled with the merge commit; pr:declined → pullrequest:rejected", () => {
    const merged = one(dcFixture("pr-merged.atlassian-jenkins-plugin.json"));
    assert.equal(merged.eventKey, "pullrequest:fulfilled");
    assert.deepEqual([merged.p.pullrequest.state, merged.p.pullrequest.merge_commit.hash], ["MERGED", "7e48f426f0a6e47c5b5e862c31be6ca965f82c9c"]);
    assert.deepEqual(merged.p.pullrequest.participants.map((x: Json) => [x.user.account_id, x.role]), [["user", "PARTICIPANT"]]);
    const declined = one(dcFixture("pr-declined.atlassian-jenkins-plugin.json"));
    assert.deepEqual([declined.eventKey, declined.p.pullrequest.state], ["pullrequest:rejected", "DECLINED"]);
  });

  it("pr:deleted → pullrequest:rejected, state DECLINED (the payload still says OPEN), marked deleted", () => {
    const { eventKey, p } = one(dcFixture("pr-deleted.atlassian-jenkins-plugin.json"));
    assert.deepEqual([eventKey, p.pullrequest.state, p.datacenter.deleted], ["pullrequest:rejected", "DECLINED", true]);
  });

  it("pr:modified, pr:from_ref_updated and pr:reviewer:updated → pullrequest:updated (reviewers added/removed kept)", () => {
    const body = dcFixture<Json>("pr-opened.jenkins-fixture.json");
    for (const key of ["pr:modified", "pr:from_ref_updated"] as const) assert.equal(one({ ...body, eventKey: key }, key).eventKey, "pullrequest:updated");
    const updated = one({ ...body, eventKey: "pr:reviewer:updated", addedReviewers: [body.actor], removedReviewers: [] }, "pr:reviewer:updated");
    assert.equal(updated.eventKey, "pullrequest:updated");
    assert.deepEqual(updated.p.datacenter.addedReviewers.map((u: Json) => u.account_id), ["me-slug"]);
  });

  it("a body without the fields the mapping reads is refused with a short reason", () => {
    const body = dcFixture<Json>("repo-refs_changed.jenkins-fixture.json");
    delete body.changes;
    const parsed = parseDcEvent("repo:refs_changed", body);
    assert.ok(!parsed.ok);
    assert.match(parsed.reason, /^invalid repo:refs_changed payload: changes/);
    const pr = dcFixture<Json>("pr-opened.jenkins-fixture.json");
    delete pr.pullRequest.toRef.repository.project;
    assert.ok(!parseDcEvent("pr:opened", pr).ok);
  });
});
