import { DIGEST_MAX_ITEMS, type Digest } from "../digest";
import { googleChatMessage } from "./google-chat";
import { slackMessage } from "./slack";
import type { ChatKind } from "./targets";
import { teamsMessage } from "./teams";

/** The headline of a digest of several repositories. */
export function workspaceHeadline(digests: Digest[]): string {
  const total = digests.reduce((n, d) => n + d.total, 0);
  return `${total} pull request${total === 1 ? "" : "s"} waiting for review in ${digests.length} repositories`;
}

/**
 * Keeps at most `max` pull requests across the repositories (chat payloads have size limits),
 * in the given order; the rest of each repository becomes its "and N more".
 */
export function withinBudget(digests: Digest[], max = DIGEST_MAX_ITEMS): Digest[] {
  let left = max;
  return digests.map((d) => {
    const items = d.items.slice(0, Math.max(0, left));
    left -= items.length;
    return { ...d, items, more: d.total - items.length };
  });
}

/**
 * One chat message listing several repositories' digests (the workspace digest of one channel):
 * the combined headline, then each repository's own section as its single message shows it.
 */
export function combinedChatPayload(kind: ChatKind, all: Digest[]): unknown {
  const digests = withinBudget(all);
  const head = workspaceHeadline(digests);
  if (kind === "slack") {
    const blocks = digests.flatMap((d) => slackMessage(d).blocks);
    return { text: head, blocks: [{ type: "header", text: { type: "plain_text", text: head.slice(0, 150), emoji: true } }, ...blocks] };
  }
  if (kind === "teams") {
    const cards = digests.map((d) => teamsMessage(d) as { attachments: Array<{ content: { body: unknown[]; actions?: unknown[] } }> });
    const first = cards[0]!;
    const content = first.attachments[0]!.content;
    const body = [
      { type: "TextBlock", text: head, weight: "Bolder", size: "Large", wrap: true },
      ...cards.flatMap((c) => c.attachments[0]!.content.body),
    ];
    const { actions: _actions, ...rest } = content;
    return { ...first, attachments: [{ ...first.attachments[0], content: { ...rest, body } }] };
  }
  return { text: [`*${head}*`, ...digests.map((d) => googleChatMessage(d).text)].join("\n\n") };
}
