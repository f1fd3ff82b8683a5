import type { IntegrationDefinition } from "./registry";

export type Doc = Record<string, unknown>;

/** One level of settings for one integration: the fields it sets (non-secret) and its secrets. */
export interface SettingsLayer {
  doc: Doc;
  secrets: Record<string, string>;
}

export const EMPTY_LAYER: SettingsLayer = { doc: {}, secrets: {} };

/** The workspace layer without the fields a workspace may not set (`repositoryOnly`). */
export function workspaceLayer(def: IntegrationDefinition, layer: SettingsLayer): SettingsLayer {
  const only = def.repositoryOnly ?? [];
  if (!only.length) return layer;
  const doc: Doc = {};
  for (const [k, v] of Object.entries(layer.doc)) if (!only.includes(k)) doc[k] = v;
  return { doc, secrets: layer.secrets };
}

/**
 * The effective document of a repository: the schema's defaults, overlaid by the workspace defaults,
 * overlaid by the fields the repository overrides (field by field; a list or a secret set on the
 * repository replaces the workspace's whole value). When the combination does not parse (a
 * cross-field rule broken by a later workspace change), the repository's own fields over the schema
 * defaults are used; when those do not parse either (the schema moved on), defaults, switched off.
 */
export function effectiveDocument(def: IntegrationDefinition, workspace: SettingsLayer, repository: SettingsLayer): Doc {
  const ws = workspaceLayer(def, workspace);
  const merged = def.schema.safeParse({ ...ws.doc, ...ws.secrets, ...repository.doc, ...repository.secrets });
  if (merged.success) return merged.data as Doc;
  const own = def.schema.safeParse({ ...repository.doc, ...repository.secrets });
  if (own.success) return own.data as Doc;
  return { ...(def.schema.parse({}) as Doc), enabled: false };
}

/**
 * The fields a repository takes from the workspace defaults: set there (value or secret) and not
 * overridden by the repository. Sorted.
 */
export function inheritedFields(def: IntegrationDefinition, workspace: SettingsLayer, repository: SettingsLayer): string[] {
  const ws = workspaceLayer(def, workspace);
  const fromWorkspace = [...Object.keys(ws.doc), ...Object.keys(ws.secrets)];
  return fromWorkspace.filter((f) => !(f in repository.doc) && !(f in repository.secrets)).sort();
}
