import type { Services } from "../../../core/services";
import { HttpError, PermanentError } from "../../../http/errors";
import type { Digest } from "../digest";
import { googleChatMessage } from "./google-chat";
import { slackMessage } from "./slack";
import { isChatWebhookUrl, isLoopbackHost, type ChatKind } from "./targets";
import { teamsMessage } from "./teams";

export const CHAT_TARGET_LABEL: Record<ChatKind, string> = { slack: "slack", teams: "teams", googleChat: "google-chat" };

export function chatPayload(kind: ChatKind, d: Digest): unknown {
  if (kind === "slack") return slackMessage(d);
  if (kind === "teams") return teamsMessage(d);
  return googleChatMessage(d);
}

/**
 * Posts a digest to one chat webhook through the one HTTP client. The URL is a secret: the call log
 * shows only the vendor's host. Loopback URLs are refused in production.
 */
export async function sendToChat(services: Services, kind: ChatKind, url: string, d: Digest): Promise<void> {
  if (!isChatWebhookUrl(kind, url)) throw new PermanentError(`${kind} webhook URL is not valid`);
  const u = new URL(url);
  if (services.config.isProduction && isLoopbackHost(u.hostname)) throw new PermanentError(`${kind} webhook URL points at this machine`);
  try {
    await services.http.send({
      target: CHAT_TARGET_LABEL[kind],
      method: "POST",
      url,
      json: chatPayload(kind, d),
      displayUrl: `${u.protocol}//${u.host}/…`,
    });
  } catch (err) {
    if (err instanceof HttpError && !err.retryable) throw new PermanentError(`${kind} webhook answered ${err.status}`);
    throw err;
  }
}
