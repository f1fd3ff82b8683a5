import { facts, headline, type Digest } from "../digest";

/** Google Chat text messages: `*bold*`, `<url|label>` links; `<`, `>` and `&` escaped in plain text. */
function chatEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function googleChatMessage(d: Digest): { text: string } {
  const lines = [`*${chatEscape(headline(d))}*`];
  for (const i of d.items) {
    const label = chatEscape(`#${i.id} ${i.title}`).replace(/\|/g, "¦");
    const mark = i.ageLevel === "alert" ? "🔴 " : i.ageLevel === "warn" ? "🟡 " : "";
    lines.push(`• ${mark}${i.url ? `<${i.url}|${label}>` : label} ${chatEscape(facts(i))}`);
  }
  if (d.more) lines.push(`_and ${d.more} more_`);
  if (d.listUrl) lines.push(`<${d.listUrl}|All pull requests>`);
  return { text: lines.join("\n") };
}
