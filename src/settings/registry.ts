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
