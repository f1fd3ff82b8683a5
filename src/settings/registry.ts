import type { z } from "zod";

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
