/** The chat systems a digest goes to; each target's incoming-webhook URL is a secret setting. */
export type ChatKind = "slack" | "teams" | "googleChat";

export const CHAT_KINDS: readonly ChatKind[] = ["slack", "teams", "googleChat"];

export const CHAT_SECRET_FIELD: Record<ChatKind, "slackWebhookUrl" | "teamsWebhookUrl" | "googleChatWebhookUrl"> = {
  slack: "slackWebhookUrl",
  teams: "teamsWebhookUrl",
  googleChat: "googleChatWebhookUrl",
};

/** Where each vendor's incoming webhooks live (Teams: Workflows / Power Automate, or a legacy connector). */
const VENDOR_HOSTS: Record<ChatKind, (host: string) => boolean> = {
  slack: (h) => h === "hooks.slack.com",
  teams: (h) => [".webhook.office.com", ".logic.azure.com", ".powerplatform.com", ".powerautomate.com"].some((s) => h.endsWith(s)),
  googleChat: (h) => h === "chat.googleapis.com",
};

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

/**
 * The shape of a chat webhook URL: a vendor's HTTPS webhook host, or a loopback URL (local chat servers
 * in development and tests). The outbound policy then decides: loopback passes it only when
 * OUTBOUND_ALLOW_LOOPBACK is set, so by default only the vendors' HTTPS hosts are accepted (when saved
 * and at every connection).
 */
export function isChatWebhookUrl(kind: ChatKind, value: string): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (isLoopbackHost(u.hostname)) return u.protocol === "http:" || u.protocol === "https:";
  return u.protocol === "https:" && VENDOR_HOSTS[kind](u.hostname.toLowerCase());
}

/** The configured targets of a settings document (kind + URL), in a fixed order. */
export function chatTargets(settings: Partial<Record<(typeof CHAT_SECRET_FIELD)[ChatKind], string | undefined>>): Array<{ kind: ChatKind; url: string }> {
  const out: Array<{ kind: ChatKind; url: string }> = [];
  for (const kind of CHAT_KINDS) {
    const url = settings[CHAT_SECRET_FIELD[kind]];
    if (url) out.push({ kind, url });
  }
  return out;
}
