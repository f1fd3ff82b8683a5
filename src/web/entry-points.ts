import type { Config } from "../config/config";
import { DATA_CENTER_PATHS } from "../datacenter";
import { dataCenterRedirectUri } from "../datacenter/login/oauth";
import { INSIGHTS_WINDOWS } from "../integrations/review-insights/model";

/** One start-up log line: its level, its structured fields and its message. Never a token or secret. */
export interface StartupLine {
  level: "info" | "warn";
  fields: Record<string, unknown>;
  msg: string;
}

/**
 * Where the app is entered, as absolute URLs under BASE_URL: the Connect descriptor (always served),
 * the Forge app id when set, the Data Center pages when an instance is configured, and `/healthz`.
 * Served by `GET /` and printed at start-up; holds nothing secret.
 */
export function entryPoints(config: Pick<Config, "baseUrl" | "forge" | "dataCenter">): {
  connectDescriptor: string;
  forgeAppId: string | null;
  dataCenter: string | null;
  health: string;
} {
  return {
    connectDescriptor: `${config.baseUrl}/atlassian-connect.json`,
    forgeAppId: config.forge.appId,
    dataCenter: config.dataCenter.instances.length ? `${config.baseUrl}${DATA_CENTER_PATHS.root}` : null,
    health: `${config.baseUrl}/healthz`,
  };
}

/**
 * What start-up prints after the listening line: one info line per Data Center instance with the
 * URLs its admin enters in DC (the webhook receiver and the application link's Redirect URL:
 * docs/datacenter.md §1), and a warning per review-insights window longer than
 * INSIGHTS_RETENTION_DAYS (that view then covers only the retained days).
 */
export function startupLines(config: Pick<Config, "baseUrl" | "dataCenter" | "insightsRetentionDays">): StartupLine[] {
  const lines: StartupLine[] = config.dataCenter.instances.map((i) => {
    const webhookUrl = `${config.baseUrl}${DATA_CENTER_PATHS.webhook(i.id)}`;
    const redirectUrl = dataCenterRedirectUri(config.baseUrl);
    return {
      level: "info",
      fields: { dataCenterInstance: i.id, name: i.name, dcBaseUrl: i.baseUrl, webhookUrl, redirectUrl },
      msg: `Data Center instance ${i.id} "${i.name}" at ${i.baseUrl}: webhook receiver ${webhookUrl}; application link Redirect URL ${redirectUrl}`,
    };
  });
  const days = config.insightsRetentionDays;
  for (const window of INSIGHTS_WINDOWS.filter((w) => w > days)) {
    lines.push({
      level: "warn",
      fields: { insightsRetentionDays: days, window },
      msg: `INSIGHTS_RETENTION_DAYS=${days}: the review insights' ${window}-day view will only cover ${days} days (older closed pull requests and reviews are deleted); set it to ${window} or more for the full view`,
    });
  }
  return lines;
}

/** The listening line's door part: Forge when FORGE_APP_ID is set, Data Center when configured, else the Connect descriptor. */
export function doorLine(config: Pick<Config, "baseUrl" | "forge" | "dataCenter">): string {
  const e = entryPoints(config);
  if (config.forge.appId) return `Forge app ${config.forge.appId}: its manifest's remote baseUrl must be ${config.baseUrl}`;
  if (e.dataCenter) {
    const n = config.dataCenter.instances.length;
    return `Data Center pages at ${e.dataCenter} (${n} instance${n === 1 ? "" : "s"}); Bitbucket Cloud (no FORGE_APP_ID): Connect descriptor at ${e.connectDescriptor}`;
  }
  return `no FORGE_APP_ID: Connect descriptor at ${e.connectDescriptor}`;
}
