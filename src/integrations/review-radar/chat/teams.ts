import { facts, headline, type Digest } from "../digest";

const AGE_COLOR = { fresh: "Default", warn: "Warning", alert: "Attention" } as const;

/** Adaptive Card text is Markdown: brackets in a title would break the link. */
function mdLabel(s: string): string {
  return s.replace(/[[\]]/g, (c) => `\\${c}`);
}

/** A Teams Workflows ("When a Teams webhook request is received") message carrying an Adaptive Card. */
export function teamsMessage(d: Digest): Record<string, unknown> {
  const body: unknown[] = [{ type: "TextBlock", text: headline(d), weight: "Bolder", size: "Medium", wrap: true }];
  for (const i of d.items) {
    const label = mdLabel(`#${i.id} ${i.title}`);
    body.push({
      type: "Container",
      separator: true,
      items: [
        { type: "TextBlock", text: i.url ? `[${label}](${i.url})` : label, wrap: true, weight: "Bolder" },
        { type: "TextBlock", text: facts(i), wrap: true, isSubtle: true, spacing: "None", color: AGE_COLOR[i.ageLevel] },
      ],
    });
  }
  if (d.more) body.push({ type: "TextBlock", text: `and ${d.more} more`, isSubtle: true });
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body,
          ...(d.listUrl ? { actions: [{ type: "Action.OpenUrl", title: "All pull requests", url: d.listUrl }] } : {}),
        },
      },
    ],
  };
}
