import assert from "node:assert/strict";
import { Harness } from "../../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../../helpers/fixtures";
import { Job } from "../../../src/models";
import { reviewRadar } from "../../../src/integrations/review-radar";
import { ReminderScheduler } from "../../../src/integrations/review-radar/scheduler";
import { ReminderSlots } from "../../../src/integrations/review-radar/slots";
import { ChatServer } from "./chat-server";
import { addPr, ago, DAY, PEOPLE, sha } from "./helpers";

const integrations = [{ ...reviewRadar, background: undefined }];
/** A Monday in the future (the digest jobs drop slots more than two hours in the past). */
const MONDAY_0931_PARIS = Date.parse("2027-03-01T08:31:00Z");
const GADGETS = { uuid: "{22222222-3333-4444-8555-666666666666}", slug: "gadgets", fullName: "acme/gadgets" };

describe("review radar: one digest per chat channel across repositories", () => {
  let h: Harness;
  let chat: ChatServer;

  beforeEach(async () => {
    chat = await ChatServer.start();
    h = await Harness.start({ integrations });
    h.fake.addRepository({ workspace: h.tenant.workspace.slug, slug: GADGETS.slug, uuid: GADGETS.uuid, mainBranch: "main", clientKey: h.tenant.clientKey });
  });
  afterEach(async () => {
    await h.close();
    await chat.close();
  });

  it("repositories sending to the same Slack webhook get one message listing both; a repository's own target gets its own", async () => {
    const id = h.tenant.installation.id;
    addPr(h, { id: 1, title: "Widget change", participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: false, state: null }] });
    h.fake.addPullRequest(h.tenant.workspace.slug, GADGETS.slug, {
      id: 7,
      title: "Gadget change",
      author: PEOPLE.carol,
      created_on: ago(DAY / 2),
      updated_on: ago(DAY / 4),
      source: { branch: { name: "feature/7" }, commit: { hash: sha(7) } },
      destination: { branch: { name: "main" } },
      participants: [],
    });
    // The workspace default: reminders on at 09:30 Paris time, to one Slack channel.
    await h.services.settings.updateDefaults(
      id,
      "review-radar",
      { values: { enabled: true, timeZone: "Europe/Paris", schedule: "times", times: ["09:30"] }, secrets: { slackWebhookUrl: `${chat.url}/slack` } },
      "owner",
    );
    // acme/widgets adds a Teams channel of its own; acme/gadgets has no settings at all (the app knows it from a push).
    await h.services.settings.update(id, { uuid: h.repo.uuid, fullName: h.repo.fullName }, "review-radar", { secrets: { teamsWebhookUrl: `${chat.url}/teams` } }, "admin");
    await h.webhook("repo:push", forRepository(bitbucketWebhook("repo-push.real-2023.json"), GADGETS));
    await h.drained();

    const scheduler = new ReminderScheduler(h.services, { intervalMs: 3_600_000, lookbackMs: 10 * 60_000, instanceId: "a" });
    const claimed = await scheduler.tick(MONDAY_0931_PARIS);
    assert.deepEqual(claimed.map((c) => c.repositoryUuid).sort(), [h.repo.uuid, GADGETS.uuid].sort());
    await h.drained();
    await waitFor(() => chat.posts.length >= 2, "two chat posts");

    const slack = chat.to("/slack");
    assert.equal(slack.length, 1, "one Slack message for both repositories");
    const body = slack[0]!.body as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    assert.equal(body.text, "2 pull requests waiting for review in 2 repositories");
    const text = JSON.stringify(body.blocks);
    assert.match(text, /in acme\/gadgets/);
    assert.match(text, /in acme\/widgets/);
    assert.match(text, /#1 Widget change/);
    assert.match(text, /#7 Gadget change/);
    // The Teams channel only acme/widgets sends to: its own message, only its pull request.
    const teams = chat.to("/teams");
    assert.equal(teams.length, 1);
    assert.match(JSON.stringify(teams[0]!.body), /Widget change/);
    assert.doesNotMatch(JSON.stringify(teams[0]!.body), /Gadget change/);
    // Both slots record the send; the channel job ran once.
    const slots = new ReminderSlots(h.services.db);
    for (const uuid of [h.repo.uuid, GADGETS.uuid]) {
      const [slot] = await slots.list(id, uuid);
      assert.equal(slot!.status, "sent");
      assert.ok(slot!.sentTo.includes("slack"));
    }
    assert.equal(await Job.count({ where: { handler: "review-radar.channel-digest", status: "done" } }), 1);
    assert.deepEqual(await scheduler.tick(MONDAY_0931_PARIS + 4 * 60_000), [], "the slot is not claimed twice");
  });
});
