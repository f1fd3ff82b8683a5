import assert from "node:assert/strict";
import { buildDigest, humanAge } from "../../../src/integrations/review-radar/digest";
import { slackMessage } from "../../../src/integrations/review-radar/chat/slack";
import { teamsMessage } from "../../../src/integrations/review-radar/chat/teams";
import { googleChatMessage } from "../../../src/integrations/review-radar/chat/google-chat";
import type { RadarPullRequest } from "../../../src/integrations/review-radar/model";
import { ReviewRadarSettingsSchema } from "../../../src/integrations/review-radar/settings";

const DAY = 86_400_000;
const now = Date.parse("2026-03-02T09:00:00Z");
const settings = ReviewRadarSettingsSchema.parse({});

function pr(id: number, ageDays: number, title = `Change ${id}`): RadarPullRequest {
  return {
    id,
    title,
    url: `https://bitbucket.org/acme/widgets/pull-requests/${id}`,
    draft: false,
    author: { accountId: "a", uuid: null, displayName: "Alice", avatarUrl: null },
    createdOn: new Date(now - ageDays * DAY).toISOString(),
    updatedOn: new Date(now - ageDays * DAY).toISOString(),
    sourceBranch: "f",
    destinationBranch: "main",
    sourceCommit: "abc",
    participants: [
      { accountId: "b", uuid: null, displayName: "Bob", avatarUrl: null, role: "REVIEWER", state: "approved" },
      { accountId: "c", uuid: null, displayName: "Carol", avatarUrl: null, role: "REVIEWER", state: "pending" },
    ],
  };
}

describe("review radar: digest formatting", () => {
  const digest = buildDigest("acme/widgets", "https://bitbucket.org", [pr(7, 4, "Fix <script> & stuff | pipes"), pr(3, 2.5), pr(9, 0.1)], settings, now);

  it("lists oldest first with age, approvals and who is awaited", () => {
    assert.equal(digest.total, 3);
    assert.deepEqual(digest.items.map((i) => [i.id, i.age, i.ageLevel]), [[7, "4 days", "alert"], [3, "2 days", "warn"], [9, "2 hours", "fresh"]]);
    assert.deepEqual(digest.items[0]!.waitingOn, ["Carol"]);
    assert.equal(digest.items[0]!.approvals, 1);
    assert.equal(digest.listUrl, "https://bitbucket.org/acme/widgets/pull-requests/");
    assert.equal(humanAge(30 * 60_000), "less than an hour");
  });

  it("caps long digests and says how many more", () => {
    const many = buildDigest("acme/widgets", null, Array.from({ length: 40 }, (_, i) => pr(i + 1, 1)), settings, now);
    assert.equal(many.items.length, 15);
    assert.equal(many.more, 25);
    assert.match(JSON.stringify(slackMessage(many)), /and 25 more/);
  });

  it("Slack: blocks with a header, escaped mrkdwn links and a fallback text", () => {
    const m = slackMessage(digest);
    assert.equal(m.text, "3 pull requests waiting for review in acme/widgets");
    const blocks = m.blocks as Array<{ type: string; text?: { type: string; text: string } }>;
    assert.equal(blocks[0]!.type, "header");
    assert.equal(blocks[1]!.type, "section");
    assert.equal(blocks[1]!.text!.text, ":red_circle: *<https://bitbucket.org/acme/widgets/pull-requests/7|#7 Fix &lt;script&gt; &amp; stuff ¦ pipes>*\nby Alice · 4 days old · 1/2 approvals · waiting on Carol");
    assert.equal(blocks.at(-1)!.type, "context");
  });

  it("Teams: a message with an Adaptive Card 1.4", () => {
    const m = teamsMessage(digest) as { type: string; attachments: Array<{ contentType: string; content: { type: string; version: string; body: Array<{ type: string; items?: Array<{ text: string; color?: string }> }>; actions: Array<{ url: string }> } }> };
    assert.equal(m.type, "message");
    assert.equal(m.attachments[0]!.contentType, "application/vnd.microsoft.card.adaptive");
    const card = m.attachments[0]!.content;
    assert.equal(card.type, "AdaptiveCard");
    assert.equal(card.version, "1.4");
    assert.equal(card.body[1]!.items![0]!.text, "[#7 Fix <script> & stuff | pipes](https://bitbucket.org/acme/widgets/pull-requests/7)");
    assert.equal(card.body[1]!.items![1]!.color, "Attention");
    assert.equal(card.actions[0]!.url, "https://bitbucket.org/acme/widgets/pull-requests/");
  });

  it("Google Chat: text with bold headline and <url|label> links", () => {
    const m = googleChatMessage(digest);
    const lines = m.text.split("\n");
    assert.equal(lines[0], "*3 pull requests waiting for review in acme/widgets*");
    assert.equal(lines[1], "• 🔴 <https://bitbucket.org/acme/widgets/pull-requests/7|#7 Fix &lt;script&gt; &amp; stuff ¦ pipes> by Alice · 4 days old · 1/2 approvals · waiting on Carol");
    assert.equal(lines.at(-1), "<https://bitbucket.org/acme/widgets/pull-requests/|All pull requests>");
  });
});
