import type { Services } from "../../../core/services";
import { HttpError, PermanentError } from "../../../http/errors";
import type { Digest } from "../digest";
import { googleChatMessage } from "./google-chat";
import { slackMessage } from "./slack";
import { excerpt } from "../../../http/excerpt";
import { isChatWebhookUrl, type ChatKind } from "./targets";
import { teamsMessage } from "./teams";
import { combinedChatPayload } from "./combined";

export const CHAT_TARGET_LABEL: Record<ChatKind, string> = { slack: "slack", teams: "teams", googleChat: "google-chat" };

export function chatPayload(kind: ChatKind, d: Digest): unknown {
  if (kind === "slack") return slackMessage(d);
  if (kind === "teams") return teamsMessage(d);
  return googleChatMessage(d);
}

/** What a chat service answered: status and a short sanitised excerpt of its body. */
export interface ChatAnswer {
  status: number;
  body: string;
}

/**
 * Posts a digest to one chat webhook through the one HTTP client, under the outbound policy (a
 * tenant URL: https to a public address, redirects not followed). The URL is a secret: the call log
 * shows only the vendor's host. A 4xx (other than 408/425/429) or a refusal is a PermanentError carrying
 * the status and a short excerpt; 429/5xx/network errors are thrown as they are (retried).
 * `retries`: inline HTTP retries (the test action asks for none, to show the first answer).
 */
export async function sendToChat(services: Services, kind: ChatKind, url: string, d: Digest | Digest[], opts: { retries?: number } = {}): Promise<ChatAnswer> {
  if (!isChatWebhookUrl(kind, url)) throw new PermanentError(`${kind} webhook URL is not valid`);
  const u = new URL(url);
  try {
    const res = await services.http.send({
      target: CHAT_TARGET_LABEL[kind],
      method: "POST",
      url,
      tenantUrl: true,
      // Several repositories' digests (one channel's workspace digest) go out as one message.
      json: Array.isArray(d) ? (d.length === 1 ? chatPayload(kind, d[0]!) : combinedChatPayload(kind, d)) : chatPayload(kind, d),
      displayUrl: `${u.protocol}//${u.host}/…`,
      retries: opts.retries,
    });
    return { status: res.status, body: excerpt(res.text()) };
  } catch (err) {
    if (err instanceof HttpError && !err.retryable) {
      throw new PermanentError(`${kind} webhook answered ${err.status}${err.bodySnippet ? `: ${err.bodySnippet}` : ""}`);
    }
    throw err;
  }
}
