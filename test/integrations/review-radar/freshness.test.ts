import assert from "node:assert/strict";
import { Harness } from "../../helpers/harness";
import { bitbucketWebhook, forRepository } from "../../helpers/fixtures";
import { Delivery, Job } from "../../../src/models";
import { reviewRadar } from "../../../src/integrations/review-radar";
import type { PanelView } from "../../../src/integrations/review-radar/model";
import { ForgeHost, forgeEvent } from "../../forge/forge-host";
import { addPr, panel, PEOPLE, session } from "./helpers";

/** The radar without its real-clock reminder scheduler. */
const integrations = [{ ...reviewRadar, background: undefined }];
const waiting = (v: PanelView) => v.sections.reduce((n, s) => n + s.total, 0);

/**
 * Issue 15.3: the cache is emptied in the transaction that stores the webhook, so that any view that
 * starts after the 2xx is fresh. The worker is off in these tests: nothing runs after the
 * acknowledgement, so a fresh view can only come from the ingest itself.
 */
describe("review radar: the first view after a pull request webhook is fresh", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ integrations, env: { WORKER_ENABLED: "false" } });
  });
  afterEach(() => h.close());

  const webhook = (key: "pullrequest:approved" | "pullrequest:fulfilled", file: string) =>
    h.webhook(key, forRepository(bitbucketWebhook(file), { uuid: h.repo.uuid, fullName: h.repo.fullName }));

  it("pullrequest:approved → acknowledged → the next panel load shows the approvals", async () => {
    addPr(h, { id: 1, participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: false, state: null }] });
    const token = await session(h);
    assert.equal(waiting(await panel(h, token)), 1);
    addPr(h, { id: 1, participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: true, state: "approved" }, { user: PEOPLE.carol, role: "REVIEWER", approved: true, state: "approved" }] });
    assert.equal((await panel(h, token)).fromCache, true, "without a webhook the cache answers");

    assert.equal((await webhook("pullrequest:approved", "pullrequest-approved.real-2023.json")).status, 204);
    const after = await panel(h, token);
    assert.equal(after.fromCache, false);
    assert.equal(waiting(after), 0, "two approvals: nothing needs review");
    assert.equal(await Job.count({ where: { status: ["done", "ignored", "dead"] } }), 0, "no job ran: the worker is off");
  });

  it("pullrequest:fulfilled → acknowledged → the merged pull request is gone from the next load", async () => {
    addPr(h, { id: 1 });
    const token = await session(h);
    assert.equal((await panel(h, token)).openPullRequests, 1);
    addPr(h, { id: 1, state: "MERGED" });
    assert.equal((await webhook("pullrequest:fulfilled", "pullrequest-fulfilled.real-2023-with-reviewer.json")).status, 204);
    const after = await panel(h, token);
    assert.equal(after.fromCache, false);
    assert.equal(after.openPullRequests, 0);
  });

  it("a burst of webhooks (stored in group commits): every one is stored and the next load is fresh", async () => {
    addPr(h, { id: 1 });
    const token = await session(h);
    await panel(h, token);
    addPr(h, { id: 1, state: "MERGED" });
    const answers = await Promise.all(Array.from({ length: 20 }, () => webhook("pullrequest:fulfilled", "pullrequest-fulfilled.real-2023-with-reviewer.json")));
    assert.ok(answers.every((r) => r.status === 204));
    assert.equal(await Delivery.count({ where: { eventKey: "pullrequest:fulfilled" } }), 20);
    assert.equal((await panel(h, token)).openPullRequests, 0);
  });
});

describe("review radar: fresh after a Forge product event too", () => {
  let f: ForgeHost;
  beforeEach(async () => {
    f = await ForgeHost.start({ integrations, env: { WORKER_ENABLED: "false" } });
  });
  afterEach(() => f.close());

  it("avi:bitbucket:fulfilled:pullrequest → 204 → the next card load is fresh, before the event is translated", async () => {
    addPr(f.h, { id: 3 });
    const load = async () => {
      const res = await f.ui("GET", `/review-radar/panel?repoUuid=${encodeURIComponent(f.h.repo.uuid)}&repoPath=acme%2Fwidgets`, undefined, { principal: PEOPLE.viewer.account_id });
      assert.equal(res.status, 200, res.text);
      return res.json<PanelView>();
    };
    assert.equal((await load()).openPullRequests, 1);
    addPr(f.h, { id: 3, state: "MERGED" });
    assert.equal((await load()).fromCache, true);
    const res = await f.event(forgeEvent("avi-bitbucket-fulfilled-pullrequest.docs-example.json", f.workspaceUuid, f.h.repo.uuid));
    assert.equal(res.status, 204, res.text);
    const after = await load();
    assert.equal(after.fromCache, false);
    assert.equal(after.openPullRequests, 0);
  });
});

describe("ingest hooks", () => {
  it("run in the storing transaction: a hook that fails stores nothing and the sender is told to retry", async () => {
    const h = await Harness.start({
      integrations: [],
      env: { WORKER_ENABLED: "false" },
      registerHandlers: (r) =>
        r.onIngest("pullrequest:fulfilled", "test.failing-hook", async () => {
          throw new Error("hook failed");
        }),
    });
    try {
      const res = await h.webhook("pullrequest:fulfilled", forRepository(bitbucketWebhook("pullrequest-fulfilled.real-2023-with-reviewer.json"), { uuid: h.repo.uuid, fullName: h.repo.fullName }));
      assert.ok(res.status >= 500, `answered ${res.status}`);
      assert.equal(await Delivery.count(), 0);
    } finally {
      await h.close();
    }
  });
});
