import type { Transport } from "../lib/transport";
import { TransportError } from "../lib/transport";
import type { ActionResult, ActivityResponse, DataCenterWebhookState, Issue, Outcome, ReplayResult, SettingsCard, SettingsPatch, SettingsResponse, SetupView } from "./types";

export interface ActivityFilter {
  integration?: string;
  outcome?: Outcome;
  page: number;
  pageLen: number;
}

/** The settings page's calls, for one repository. */
export function settingsApi(transport: Transport, repoUuid: string) {
  const base = `/repositories/${encodeURIComponent(repoUuid)}`;
  return {
    load: () => transport.get<SettingsResponse>(`${base}/settings`),
    save: (integration: string, patch: SettingsPatch) => transport.put<SettingsCard>(`${base}/settings/${encodeURIComponent(integration)}`, patch),
    setup: (integration: string) => transport.get<SetupView>(`${base}/settings/${encodeURIComponent(integration)}/setup`),
    runAction: (integration: string, action: string) =>
      transport.post<ActionResult>(`${base}/settings/${encodeURIComponent(integration)}/actions/${encodeURIComponent(action)}`, {}),
    activity: (f: ActivityFilter) => {
      const q = new URLSearchParams({ page: String(f.page), pageLen: String(f.pageLen) });
      if (f.integration) q.set("integration", f.integration);
      if (f.outcome) q.set("outcome", f.outcome);
      return transport.get<ActivityResponse>(`${base}/activity?${q.toString()}`);
    },
    /** Data Center only: the repository's webhook, "Repair now", "Rotate secret" (src/datacenter/webhooks/routes.ts). */
    webhook: () => transport.get<DataCenterWebhookState>(`${base}/settings/webhook`),
    repairWebhook: () => transport.post<DataCenterWebhookState>(`${base}/settings/webhook/repair`, {}),
    rotateWebhookSecret: () => transport.post<DataCenterWebhookState>(`${base}/settings/webhook/rotate-secret`, {}),
    replay: (jobId: string) => transport.post<ReplayResult>(`${base}/activity/jobs/${encodeURIComponent(jobId)}/replay`, {}),
  };
}

export type SettingsApi = ReturnType<typeof settingsApi>;

/** The field-level reasons of a refused write, if the API gave any. */
export function issuesOf(err: unknown): Issue[] {
  if (!(err instanceof TransportError)) return [];
  const d = err.details as { issues?: unknown } | undefined;
  if (!d || !Array.isArray(d.issues)) return [];
  return d.issues.filter((i): i is Issue => typeof i === "object" && i !== null && typeof (i as Issue).path === "string" && typeof (i as Issue).message === "string");
}

/** A sentence for the person looking at the page. */
export function describeError(err: unknown): string {
  if (err instanceof TransportError) {
    if (err.status === 401) return "Your session has expired. Reload the page to sign in again.";
    if (err.status === 403) return `Not allowed: ${err.message}.`;
    return err.message;
  }
  return "The app could not be reached. Try again.";
}
