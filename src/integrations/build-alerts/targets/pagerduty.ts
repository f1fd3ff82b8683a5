import { PermanentError } from "../../../http/errors";
import { summaryOf, type AlertMessage } from "../message";
import { excerpt } from "../../../http/excerpt";
import type { BuildAlertsSettings } from "../settings";
import type { AlertTarget } from "./types";

function hostOf(url: string | null): string | null {
  try {
    return url ? new URL(url).host || null : null;
  } catch {
    return null;
  }
}

/** PagerDuty Events API v2: trigger on open, resolve on close, `dedup_key` = the incident identity. */
export function pagerDutyBody(m: AlertMessage, s: BuildAlertsSettings, client: { name: string; url: string }): Record<string, unknown> {
  const routing_key = s.pagerdutyRoutingKey ?? "";
  if (m.action === "close") return { routing_key, event_action: "resolve", dedup_key: m.dedupKey };
  const st = m.status;
  const [group, component] = st.repository.fullName.split("/");
  return {
    routing_key,
    event_action: "trigger",
    dedup_key: m.dedupKey,
    payload: {
      summary: summaryOf(m),
      source: hostOf(st.url) ?? st.repository.fullName,
      severity: m.test ? "info" : s.pagerdutySeverity,
      timestamp: st.updatedOn ? new Date(st.updatedOn).toISOString() : new Date().toISOString(),
      component,
      group,
      class: m.test ? "test" : "ci-build-failure",
      custom_details: {
        repository: st.repository.fullName,
        commit: st.commit,
        refname: st.refname,
        status_key: st.key,
        status_state: st.state,
        description: st.description,
        test: m.test,
      },
    },
    ...(st.url ? { links: [{ href: st.url, text: st.name ?? "Build" }] } : {}),
    client: client.name,
    client_url: client.url,
  };
}

export const sendPagerDuty: AlertTarget = async (services, settings, message, opts) => {
  if (!settings.pagerdutyRoutingKey) throw new PermanentError("PagerDuty: no routing key configured");
  const url = services.http.policy.checkSyntax(settings.pagerdutyEventsUrl);
  const body = pagerDutyBody(message, settings, { name: "Bitbucket Relay", url: services.config.baseUrl });
  const res = await services.http.send({ target: "pagerduty", method: "POST", url: url.toString(), tenantUrl: true, json: body, retries: opts.retries });
  return { status: res.status, body: excerpt(res.text()) };
};
