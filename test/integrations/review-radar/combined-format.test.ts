import assert from "node:assert/strict";
import { combinedChatPayload, withinBudget } from "../../../src/integrations/review-radar/chat/combined";
import type { Digest, DigestItem } from "../../../src/integrations/review-radar/digest";

const item = (id: number, title: string): DigestItem => ({ id, title, url: `https://bitbucket.org/x/${id}`, author: "Alice", age: "1 day", ageLevel: "fresh", approvals: 0, required: 2, waitingOn: [] });
const digest = (repository: string, n: number): Digest => {
  const items = Array.from({ length: n }, (_, i) => item(i + 1, `${repository} change ${i + 1}`));
  return { repository, listUrl: `https://bitbucket.org/${repository}/pull-requests/`, total: n, items, more: 0 };
};

describe("review radar: the message of a digest across repositories", () => {
  it("lists every repository under one headline in Slack, Teams and Google Chat", () => {
    const ds = [digest("acme/widgets", 1), digest("acme/gadgets", 2)];
    const slack = combinedChatPayload("slack", ds) as { text: string; blocks: unknown[] };
    assert.equal(slack.text, "3 pull requests waiting for review in 2 repositories");
    const teams = JSON.stringify(combinedChatPayload("teams", ds));
    assert.match(teams, /3 pull requests waiting for review in 2 repositories/);
    assert.match(teams, /in acme\/widgets/);
    assert.match(teams, /in acme\/gadgets/);
    assert.match(teams, /"type":"AdaptiveCard"/);
    const gchat = (combinedChatPayload("googleChat", ds) as { text: string }).text;
    assert.match(gchat, /^\*3 pull requests waiting for review in 2 repositories\*/);
    assert.match(gchat, /acme\/gadgets change 2/);
  });

  it("keeps at most 15 pull requests in all; the rest of each repository is counted", () => {
    const trimmed = withinBudget([digest("a/one", 10), digest("a/two", 10)]);
    assert.deepEqual(trimmed.map((d) => [d.items.length, d.more]), [[10, 0], [5, 5]]);
  });
});
