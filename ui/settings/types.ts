/** The JSON API's shapes (docs/openapi.yaml), shared with the server as types only. */
export type { SettingsCard, JsonSchema } from "../../src/web/api/settings-view";
export type { SetupView } from "../../src/web/api/settings-setup";
export type { FieldMeta, LastDelivery, SetupStep } from "../../src/settings/registry";
export type { DataCenterWebhookState } from "../../src/datacenter/webhooks/routes";
export type { WebhookOutcome } from "../../src/datacenter/webhooks/store";
export type { ActivityPage, ActivityEntry, ActivityJob, ActivityCall, Outcome } from "../../src/web/api/activity-query";
import type { SettingsCard } from "../../src/web/api/settings-view";
import type { ActivityPage } from "../../src/web/api/activity-query";

export type Permission = "admin" | "write" | "read" | "none";

export interface SettingsResponse {
  repository: { uuid: string; fullName: string | null };
  permission: Permission;
  canEdit: boolean;
  retentionDays: number;
  integrations: SettingsCard[];
}

export interface ActivityResponse extends ActivityPage {
  canReplay: boolean;
  retentionDays: number;
}

export interface SettingsPatch {
  values?: Record<string, unknown>;
  secrets?: Record<string, string | null>;
  /** Fields to stop setting (inherit the workspace default). */
  inherit?: string[];
}

export interface ActionResult {
  ok: boolean;
  message: string;
  detail: unknown;
}

export interface ReplayResult {
  replayed: boolean;
  job: { id: string; status: string; replayOf: string };
}

/** A field-level reason from the API's 400 answers (`details.issues`). */
export interface Issue {
  path: string;
  message: string;
}
