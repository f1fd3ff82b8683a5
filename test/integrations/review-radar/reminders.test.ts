import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Harness } from "../../helpers/harness";
import { waitFor } from "../../helpers/fixtures";
import { Job, OutboundCallRecord } from "../../../src/models";
import { reviewRadar } from "../../../src/integrations/review-radar";
import { ReminderScheduler } from "../../../src/integrations/review-radar/scheduler";
import { ReminderSlots } from "../../../src/integrations/review-radar/slots";
import { ChatServer } from "./chat-server";
import { addPr, PEOPLE } from "./helpers";

const integrations = [{ ...reviewRadar, background: undefined }];
/** A Monday in the future (the digest job drops slots more than two hours in the past). */
const MONDAY_0931_PARIS = Date.parse("2027-03-01T08:31:00Z");
const at = (iso: string) => Date.parse(iso);

async function enableReminders(h: Harness, chat: ChatServer, values: Record<string, unknown> = {}) {
  await h.services.settings.update(
    h.tenant.installation.id,
    { uuid: h.repo.uuid, fullName: h.repo.fullName },
    "review-radar",
    {
      values: { enabled: true, timeZone: "Europe/Paris", schedule: "times", times: ["09:30"], ...values },
      secrets: { slackWebhookUrl: `${chat.url}/slack`, teamsWebhookUrl: `${chat.url}/teams`, googleChatWebhookUrl: `${chat.url}/chat` },
    },
    "admin",
  );
}

function scheduler(h: Harness, id: string) {
  return new ReminderScheduler(h.services, { intervalMs: 3_600_000, lookbackMs: 10 * 60_000, instanceId: id });
}

async function digestJobsSettled(h: Harness, n = 1) {
  await waitFor(
    async () => (await Job.count({ where: { handler: "review-radar.digest", status: ["done", "ignored", "dead"] } })) >= n,
    "digest job",
  );
}

describe("review radar: chat reminders", () => {
  let h: Harness;
  let chat: ChatServer;

  beforeEach(async () => {
    chat = await ChatServer.start();
    h = await Harness.start({ integrations });
  });
  afterEach(async () => {
    await h.close();
    await chat.close();
  });

  it("sends each slot once to Slack, Teams and Google Chat, in working hours only", async () => {
    addPr(h, { id: 1, title: "Waiting", participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: false, state: null }] });
    addPr(h, { id: 2, title: "Approved twice", participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: true, state: "approved" }, { user: PEOPLE.carol, role: "REVIEWER", approved: true, state: "approved" }] });
    await enableReminders(h, chat);
    const s = scheduler(h, "a");

    assert.deepEqual(await s.tick(at("2027-03-01T08:00:00Z")), [], "09:00 in Paris: no slot");
    const claimed = await s.tick(MONDAY_0931_PARIS);
    assert.deepEqual(claimed.map((c) => c.slot.key), ["2027-03-01T09:30 Europe/Paris"]);
    await digestJobsSettled(h);
    await waitFor(() => chat.posts.length >= 3, "three chat posts");

    const slack = chat.to("/slack")[0]!.body as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    assert.equal(slack.text, "1 pull request waiting for review in acme/widgets");
    assert.match(slack.blocks[1]!.text!.text, /#1 Waiting/);
    assert.doesNotMatch(JSON.stringify(slack), /Approved twice/);
    const teams = chat.to("/teams")[0]!.body as { type: string; attachments: Array<{ content: { type: string } }> };
    assert.equal(teams.type, "message");
    assert.equal(teams.attachments[0]!.content.type, "AdaptiveCard");
    const gchat = chat.to("/chat")[0]!.body as { text: string };
    assert.match(gchat.text, /^\*1 pull request waiting for review in acme\/widgets\*/);

    assert.deepEqual(await s.tick(MONDAY_0931_PARIS + 4 * 60_000), [], "the same slot is not claimed twice");
    assert.deepEqual(await scheduler(h, "b").tick(MONDAY_0931_PARIS + 60_000), [], "nor by a fresh instance looking back");
    assert.deepEqual(await s.tick(at("2027-03-06T08:31:00Z")), [], "Saturday");
    assert.equal(chat.posts.length, 3);

    const slot = await new ReminderSlots(h.services.db).get(h.tenant.installation.id, h.repo.uuid, "2027-03-01T09:30 Europe/Paris");
    assert.equal(slot?.status, "sent");
    assert.deepEqual(slot?.sentTo, ["slack", "teams", "googleChat"]);
    assert.equal(slot?.pullRequests, 1);

    const logged = await OutboundCallRecord.findAll({ where: { target: ["slack", "teams", "google-chat"] } });
    assert.equal(logged.length, 3);
    for (const call of logged) assert.equal(call.url, `${chat.url}/…`, "the webhook URL (a secret) is not in the call log");
  });

  it("sends nothing when nothing is waiting", async () => {
    addPr(h, { id: 1, draft: true });
    addPr(h, { id: 2, participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: false, state: "changes_requested" }] });
    await enableReminders(h, chat);
    const claimed = await scheduler(h, "a").tick(MONDAY_0931_PARIS);
    assert.equal(claimed.length, 1);
    await digestJobsSettled(h);
    const slot = await new ReminderSlots(h.services.db).get(h.tenant.installation.id, h.repo.uuid, claimed[0]!.slot.key);
    assert.equal(slot?.status, "empty");
    assert.equal(chat.posts.length, 0);
  });

  it("claims nothing when reminders are off or no target is set", async () => {
    addPr(h, { id: 1 });
    await h.services.settings.update(h.tenant.installation.id, { uuid: h.repo.uuid }, "review-radar", { values: { enabled: true } }, "admin");
    assert.deepEqual(await scheduler(h, "a").tick(at("2027-03-01T09:31:00Z")), [], "no chat target");
    await enableReminders(h, chat, { enabled: false });
    assert.deepEqual(await scheduler(h, "a").tick(MONDAY_0931_PARIS), []);
  });

  it("retries a failed target without re-sending to the others", async () => {
    addPr(h, { id: 1 });
    await enableReminders(h, chat);
    chat.fail("/teams", 503, 3); // the inline retries and the first job attempt all fail
    await scheduler(h, "a").tick(MONDAY_0931_PARIS);
    await waitFor(() => chat.to("/teams").length === 1, "teams after a retry");
    await digestJobsSettled(h);
    assert.equal(chat.to("/slack").length, 1);
    assert.equal(chat.to("/chat").length, 1);
    const job = await Job.findOne({ where: { handler: "review-radar.digest" } });
    assert.ok(job && job.attempts >= 2, "the job was retried");
  });

  it("a permanently refused target fails the slot without retrying", async () => {
    addPr(h, { id: 1 });
    await enableReminders(h, chat);
    chat.fail("/teams", 404, 100);
    const [claimed] = await scheduler(h, "a").tick(MONDAY_0931_PARIS);
    await digestJobsSettled(h);
    const job = await Job.findOne({ where: { handler: "review-radar.digest" } });
    assert.equal(job?.status, "dead");
    assert.equal(job?.attempts, 1);
    assert.equal(chat.to("/slack").length, 1);
    const slot = await new ReminderSlots(h.services.db).get(h.tenant.installation.id, h.repo.uuid, claimed!.slot.key);
    assert.equal(slot?.status, "failed");
  });
});

describe("review radar: several instances", () => {
  it("sends each slot once when two app instances share the database", async () => {
    const chat = await ChatServer.start();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "relay-radar-")), "shared.sqlite");
    const a = await Harness.start({ integrations, env: { SQLITE_FILE: file } });
    const db = a.services.config.database;
    const shared: Record<string, string> = db.kind === "postgres" ? { DATABASE_URL: db.url } : { SQLITE_FILE: file };
    const b = await Harness.start({ integrations, env: shared, fake: a.fake, install: false });
    try {
      addPr(a, { id: 1 });
      await enableReminders(a, chat);
      const [ra, rb] = await Promise.all([scheduler(a, "instance-a").tick(MONDAY_0931_PARIS), scheduler(b, "instance-b").tick(MONDAY_0931_PARIS)]);
      assert.equal(ra.length + rb.length, 1, "exactly one instance claims the slot");
      await waitFor(() => chat.posts.length >= 3, "posts");
      await a.drained(); // one database: every digest job of both instances has settled
      assert.equal(chat.to("/slack").length, 1);
      assert.equal(chat.to("/teams").length, 1);
      assert.equal(chat.to("/chat").length, 1);
    } finally {
      await b.close();
      await a.close();
      await chat.close();
    }
  });
});
