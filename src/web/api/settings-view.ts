import { z } from "zod";
import type { Services } from "../../core/services";
import type { InstallationView } from "../../core/installations";
import type { CopyValue, FieldMeta, IntegrationDefinition, IntegrationId, IntegrationPageContext, SettingsCheck } from "../../settings/registry";
import type { PublicSettings } from "../../settings/service";
import type { RepoAccess } from "../permissions";
import { setupOf, type SetupView } from "./settings-setup";

export type JsonSchema = Record<string, unknown>;

/** One settings card as the page receives it. Never holds a secret value. */
export interface SettingsCard {
  id: string;
  title: string;
  description: string | null;
  enabled: boolean;
  /** Admins only (read-only viewers get null): the non-secret fields' values. */
  values: Record<string, unknown> | null;
  /** Admins only: whether each secret field is set. */
  secrets: Record<string, { set: boolean }> | null;
  secretFields: string[];
  /** JSON Schema (draft 2020-12) of the document, from the integration's zod schema. */
  schema: JsonSchema | null;
  copyValues: CopyValue[];
  copyValuesError: string | null;
  /** Admins only: the fields whose value comes from the workspace defaults (the repository does not set them). */
  inherited?: string[];
  actions: Array<{ id: string; label: string }>;
  /** Admins only (else `{}`): how each field shows (label, help, placeholder, group, value labels). */
  fields: Record<string, FieldMeta>;
  /** The field groups in the order shown (admins only, else `[]`). */
  groups: string[];
  /** Groups that apply while the integration is off (admins only, else `[]`). */
  groupsWhenOff: string[];
  /** Admins only (else null): the setup checklist with live state, for integrations that have one. */
  setup: SetupView | null;
  /** Only in the answer to a save: the integration's checks of the saved settings (warnings, never blocking). */
  checks?: SettingsCheck[];
}

const schemaCache = new WeakMap<IntegrationDefinition, JsonSchema | null>();

/** The integration's zod schema as JSON Schema (input side: defaults make fields optional). */
export function jsonSchemaOf(def: IntegrationDefinition): JsonSchema | null {
  if (schemaCache.has(def)) return schemaCache.get(def) ?? null;
  let out: JsonSchema | null;
  try {
    out = z.toJSONSchema(def.schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  } catch {
    out = null;
  }
  schemaCache.set(def, out);
  return out;
}

/** The full document (secrets included) of one integration: server side only. */
export async function fullSettings(services: Services, installationId: string, repositoryUuid: string, def: IntegrationDefinition) {
  return (await services.settings.get(installationId, repositoryUuid, def.id as IntegrationId)) as unknown as { enabled: boolean };
}

export function pageContext(
  services: Services,
  installation: InstallationView,
  access: RepoAccess,
  settings: { enabled: boolean },
): IntegrationPageContext<{ enabled: boolean }> {
  return { services, installation, repository: access.repository, settings, actor: access.accountId };
}

/**
 * Builds the cards of the settings page. Admins get values, secret status, copy values and
 * actions; everyone else sees only which integrations are on.
 */
export async function settingsCards(
  services: Services,
  installation: InstallationView,
  access: RepoAccess,
  defs: IntegrationDefinition[],
): Promise<SettingsCard[]> {
  const admin = access.level === "admin";
  const views = await services.settings.publicView(installation.id, access.repository.uuid, defs.map((d) => d.id));
  const inherited = admin ? await services.settings.inherited(installation.id, access.repository.uuid, defs.map((d) => d.id)) : {};
  const cards: SettingsCard[] = [];
  for (const def of defs) {
    const view = views[def.id]!;
    cards.push(admin ? await adminCard(services, installation, access, def, view, inherited[def.id]) : readOnlyCard(def, view));
  }
  return cards;
}

function base(def: IntegrationDefinition, view: PublicSettings) {
  return { id: def.id, title: def.title, description: def.description ?? null, enabled: view.enabled === true };
}

function readOnlyCard(def: IntegrationDefinition, view: PublicSettings): SettingsCard {
  return {
    ...base(def, view),
    values: null,
    secrets: null,
    secretFields: [],
    schema: null,
    copyValues: [],
    copyValuesError: null,
    actions: [],
    fields: {},
    groups: [],
    groupsWhenOff: [],
    setup: null,
  };
}

export async function adminCard(
  services: Services,
  installation: InstallationView,
  access: RepoAccess,
  def: IntegrationDefinition,
  view: PublicSettings,
  inherited?: string[],
): Promise<SettingsCard> {
  const { secrets, ...values } = view;
  inherited ??= (await services.settings.inherited(installation.id, access.repository.uuid, [def.id]))[def.id] ?? [];
  let copyValues: CopyValue[] = [];
  let copyValuesError: string | null = null;
  if (def.copyValues) {
    try {
      const settings = await fullSettings(services, installation.id, access.repository.uuid, def);
      copyValues = await def.copyValues(pageContext(services, installation, access, settings));
    } catch (err) {
      services.log.warn({ integration: def.id, err: { message: err instanceof Error ? err.message : String(err) } }, "copy values failed");
      copyValuesError = "could not compute the values to copy";
    }
  }
  return {
    ...base(def, view),
    values,
    secrets,
    secretFields: [...def.secretFields],
    schema: jsonSchemaOf(def),
    copyValues,
    copyValuesError,
    actions: Object.entries(def.actions ?? {}).map(([id, a]) => ({ id, label: a.label })),
    inherited,
    fields: { ...(def.fields ?? {}) } as Record<string, FieldMeta>,
    groups: [...(def.groups ?? [])],
    groupsWhenOff: [...(def.groupsWhenOff ?? [])],
    setup: await setupOf(services, installation, access, def),
  };
}

/** Runs an integration's checks after a save; a check that throws is reported as failed, never as a failed save. */
export async function savedSettingsChecks(
  services: Services,
  installation: InstallationView,
  access: RepoAccess,
  def: IntegrationDefinition,
): Promise<SettingsCheck[] | undefined> {
  if (!def.checks) return undefined;
  try {
    const settings = await fullSettings(services, installation.id, access.repository.uuid, def);
    return await def.checks(pageContext(services, installation, access, settings));
  } catch (err) {
    services.log.warn({ integration: def.id, err: { message: err instanceof Error ? err.message : String(err) } }, "settings checks failed");
    return [{ label: "Checks", ok: false, message: "the checks could not run" }];
  }
}
