import { facts, headline, type Digest } from "../digest";

/** Slack mrkdwn needs &, < and > escaped; link labels must not contain `|`. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const AGE_MARK = { fresh: "", warn: ":large_yellow_circle: ", alert: ":red_circle: " } as const;

/** An incoming-webhook message with Block Kit blocks (and `text` as the notification fallback). */
export function slackMessage(d: Digest): { text: string; blocks: unknown[] } {
  const blocks: unknown[] = [{ type: "header", text: { type: "plain_text", text: headline(d).slice(0, 150), emoji: true } }];
  for (const i of d.items) {
    const label = slackEscape(`#${i.id} ${i.title}`).replace(/\|/g, "¦");
    const title = i.url ? `<${i.url}|${label}>` : label;
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `${AGE_MARK[i.ageLevel]}*${title}*\n${slackEscape(facts(i))}`.slice(0, 3000) } });
  }
  const footer = [d.more ? `and ${d.more} more` : "", d.listUrl ? `<${d.listUrl}|All pull requests>` : ""].filter(Boolean).join(" · ");
  if (footer) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: footer }] });
  return { text: headline(d), blocks };
}
