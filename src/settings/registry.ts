import type { z } from "zod";
import type { Services } from "../core/services";
import type { InstallationView } from "../core/installations";

/**
 * Settings documents by integration id. Each integration merges its own in:
 *   declare module "../../settings/registry" { interface IntegrationSettingsMap { buildkite: BuildkiteSettings } }
 * Every document has `enabled`, and every field has a default so that `{}` parses.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface IntegrationSettingsMap {}

export type IntegrationId = keyof IntegrationSettingsMap & string;
export type IntegrationSettings<I extends IntegrationId> = IntegrationSettingsMap[I];

export interface IntegrationDefinition<S extends { enabled: boolean } = { enabled: boolean }> {
  id: string;
  title: string;
  /** Parses a whole document; `{}` must give the defaults. Unknown keys are rejected. */
  schema: z.ZodType<S>;
  /** Fields stored encrypted, write-only through the API (shown as set / not set). */
  secretFields: readonly string[];
  /**
   * Fields holding a URL the app will call (alert targets, chat webhooks): the outbound policy checks
   * them when they change (https, the addresses the host resolves to; a refusal is a 400 naming the field)
   * and again at every connection. Every tenant-configurable URL must be listed here.
   */
  outboundUrls?: readonly string[];
  /**
   * Fields only a repository may set, never the workspace defaults (Buildkite's explicit pipeline
   * mapping names "this repository"): refused in a workspace save, ignored if stored there.
   */
  repositoryOnly?: readonly string[];
  /** One line for the settings card. */
  description?: string;
  /** Values the customer copies into another system (endpoint URLs, API keys, ExternalId, IAM policy). */
  copyValues?(ctx: IntegrationPageContext<S>): Promise<CopyValue[]>;
  /** Actions the settings page offers ("Send test alert"); the result is shown to the admin. */
  actions?: Record<string, IntegrationAction<S>>;
  /**
   * Checks of the saved settings against the outside world (e.g. AWS: AssumeRole, the bucket), run
   * after every successful save and answered with it. They never block the save: a failure is shown
   * on the card as a warning with the reason.
   */
  checks?(ctx: IntegrationPageContext<S>): Promise<SettingsCheck[]>;
  /** How the settings page presents each field (help, placeholder, group, value labels); absent keys fall back to the schema. */
  fields?: Partial<Record<keyof S & string, FieldMeta>>;
  /** The field groups, in the order the page shows them ("What to report", "Where events come from", "AWS wiring"). */
  groups?: readonly string[];
  /** Groups that apply while the integration is switched off (review radar's panel): a switched-off card offers them behind a "Show settings" button. */
  groupsWhenOff?: readonly string[];
  /** Delivery sources that come in by this integration's own inbound door (Buildkite: `buildkite`, `eventbridge`), for SetupFacts.lastInboundAt. */
  inboundSources?: readonly string[];
  /** The setup checklist: what an admin does next, each step done or not from what the app knows (see SetupFacts). */
  setup?(facts: SetupFacts<S>): SetupStep[];
}

/** How the settings page shows one field. Everything is optional: the JSON Schema gives the rest. */
export interface FieldMeta {
  label?: string;
  /** One or two sentences under the field: what it does and what the default means. */
  help?: string;
  /** An example value shown in an empty input (never a default: the default is stored). */
  placeholder?: string;
  /** One of the definition's `groups`; fields without a group come first. */
  group?: string;
  /** Labels people know for an enum's values or a list's items, in the order shown (`pull_request` → "Pull requests"). */
  options?: ReadonlyArray<{ value: string | number; label: string }>;
}

/** What the app knows about one integration in one repository, for its setup checklist. Server side only. */
export interface SetupFacts<S> {
  /** The full document (secrets included): never send it to the browser. */
  settings: S;
  /** When an admin last saved this integration's settings for the repository (ms since epoch), or null if never. */
  savedAt: number | null;
  /** The newest activity-log entry of this integration in this repository, or null if nothing arrived yet. */
  lastDelivery: LastDelivery | null;
  /** When the installation last received an inbound event of this integration's own door (Buildkite webhook or EventBridge), any repository; null if never or not applicable. */
  lastInboundAt: number | null;
}

/** The newest entry of an integration's activity in a repository: when it arrived and how its jobs ended. */
export interface LastDelivery {
  /** The activity-log entry id (a delivery id, or the job id of a scheduled job). */
  id: string;
  source: string;
  eventKey: string;
  /** ms since epoch. */
  at: number;
  /** "failed" when a job is dead, "pending" while one is queued, running or retrying, "ignored" when every job skipped it, else "ok". */
  outcome: "ok" | "ignored" | "failed" | "pending";
  /** Why it was skipped or why it failed (the first ignored job's reason or dead job's last error), or null. */
  reason: string | null;
}

/** One step of a setup checklist: what to do, whether the app can see it done, and a detail ("last event 3 min ago"). */
export interface SetupStep {
  id: string;
  label: string;
  done: boolean;
  detail?: string;
}

/** One check's result: what was checked, whether it held, and what to fix when it did not. */
export interface SettingsCheck {
  label: string;
  ok: boolean;
  message: string;
}

export interface IntegrationPageContext<S> {
  services: Services;
  installation: InstallationView;
  repository: { uuid: string; fullName: string | null };
  /** The full document, secrets included: never send it to the browser. */
  settings: S;
  actor: string | null;
}

export interface CopyValue {
  label: string;
  value: string;
  /** Shown masked until the admin reveals it (an API key the customer must paste elsewhere). */
  sensitive?: boolean;
  /** Rendered as a code block (an IAM policy). */
  multiline?: boolean;
}

export interface IntegrationAction<S> {
  label: string;
  run(ctx: IntegrationPageContext<S>): Promise<{ ok: boolean; message: string; detail?: unknown }>;
}

const definitions = new Map<string, IntegrationDefinition>();

export function defineIntegration<S extends { enabled: boolean }>(def: IntegrationDefinition<S>): IntegrationDefinition<S> {
  if (definitions.has(def.id) && definitions.get(def.id) !== (def as unknown)) {
    throw new Error(`Integration ${def.id} is defined twice`);
  }
  definitions.set(def.id, def as unknown as IntegrationDefinition);
  return def;
}

export function integrationDefinition(id: string): IntegrationDefinition | undefined {
  return definitions.get(id);
}

export function integrationDefinitions(): IntegrationDefinition[] {
  return [...definitions.values()];
}
