/** How much of a tenant-configured target's reply an admin is shown (alert targets, chat webhooks). */
export const TARGET_EXCERPT_CHARS = 160;

/**
 * A reply body as a person may see it: markup tags, terminal escape sequences and control / bidi characters removed,
 * whitespace collapsed, cut to `max` characters (an ellipsis marks the cut). Input: the body as text.
 */
export function excerpt(body: string, max: number = TARGET_EXCERPT_CHARS): string {
  const clean = body
    .replace(/<[^>]{0,200}>/g, " ")
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, " ")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
