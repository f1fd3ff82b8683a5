import { createHmac, randomUUID } from "node:crypto";
import { PermanentError } from "../../../http/errors";
import { summaryOf, type AlertMessage } from "../message";
import { excerpt } from "../../../http/excerpt";
import type { AlertTarget } from "./types";

export const SIGNATURE_HEADER = "x-relay-signature";

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"): the timestamp is signed too, against replays. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export function webhookEvent(m: AlertMessage): string {
  return m.test ? "test" : m.action === "open" ? "incident.opened" : "incident.closed";
}

export function webhookBody(m: AlertMessage): Record<string, unknown> {
  const s = m.status;
  return {
    event: webhookEvent(m),
    test: m.test,
    summary: summaryOf(m),
    incident: {
      id: m.incidentId,
      identity: m.dedupKey,
      state: m.state,
      opens: m.opens,
      opened_at: m.openedAt ? new Date(m.openedAt).toISOString() : null,
      closed_at: m.closedAt ? new Date(m.closedAt).toISOString() : null,
    },
    repository: { uuid: s.repository.uuid, full_name: s.repository.fullName, html_url: s.repository.htmlUrl },
    commit_status: {
      key: s.key,
      name: s.name,
      state: s.state,
      description: s.description,
      url: s.url,
      refname: s.refname,
      commit: s.commit,
      created_on: s.createdOn,
      updated_on: s.updatedOn,
    },
  };
}

/** A generic JSON webhook, signed with HMAC-SHA256 (headers X-Relay-Event, -Delivery, -Timestamp, -Signature). */
export const sendWebhook: AlertTarget = async (services, settings, message, opts) => {
  if (!settings.webhookUrl || !settings.webhookSecret) throw new PermanentError("Webhook: URL and secret are required");
  const url = services.http.policy.checkSyntax(settings.webhookUrl);
  const body = JSON.stringify(webhookBody(message));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await services.http.send({
    target: "webhook",
    method: "POST",
    url: url.toString(),
    tenantUrl: true,
    body,
    headers: {
      "content-type": "application/json",
      "x-relay-event": webhookEvent(message),
      "x-relay-delivery": opts.deliveryId ?? randomUUID(),
      "x-relay-timestamp": timestamp,
      [SIGNATURE_HEADER]: signWebhook(settings.webhookSecret, timestamp, body),
    },
    retries: opts.retries,
    displayUrl: `${url.origin}${url.pathname.length > 1 ? "/…" : "/"}`,
  });
  return { status: res.status, body: excerpt(res.text()) };
};
