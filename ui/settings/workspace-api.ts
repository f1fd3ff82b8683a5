import type { Transport } from "../lib/transport";
import type { SettingsApi } from "./api";
import type { SettingsCard, SettingsPatch } from "./types";

/** One integration's workspace defaults as `GET /workspace/defaults` gives them (docs/openapi.yaml). */
export interface WorkspaceDefaultsCard {
  id: string;
  title: string;
  description: string | null;
  schema: SettingsCard["schema"];
  secretFields: string[];
  repositoryOnly: string[];
  /** How each field shows, its groups (as on the repository card). */
  fields: SettingsCard["fields"];
  groups: string[];
  groupsWhenOff: string[];
  values: Record<string, unknown>;
  secrets: Record<string, { set: boolean }>;
  set: string[];
}

export interface WorkspaceDefaultsResponse {
  workspace: { uuid: string; slug: string | null };
  canEdit: boolean;
  integrations: WorkspaceDefaultsCard[];
  repositories: Array<{ uuid: string; fullName: string | null }>;
}

export interface ApplyRun {
  id: string;
  status: "queued" | "running" | "finished" | "failed";
  total: number;
  done: number;
  updated: number;
}

/** The schema without the fields a workspace may not set (they stay per repository). */
function workspaceSchema(card: Pick<WorkspaceDefaultsCard, "schema" | "repositoryOnly">): SettingsCard["schema"] {
  const schema = card.schema as { properties?: Record<string, unknown> } | null;
  if (!schema?.properties || !card.repositoryOnly.length) return card.schema;
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !card.repositoryOnly.includes(k)));
  return { ...schema, properties };
}

/** A workspace-defaults card in the repository card's shape, so the same card component renders it (`scope="workspace"`). */
export function asSettingsCard(card: WorkspaceDefaultsCard): SettingsCard {
  return {
    id: card.id,
    title: card.title,
    description: card.description,
    enabled: card.values.enabled === true,
    values: card.values,
    secrets: card.secrets,
    secretFields: card.secretFields,
    schema: workspaceSchema(card),
    copyValues: [],
    copyValuesError: null,
    actions: [],
    inherited: [],
    fields: card.fields,
    groups: card.groups,
    groupsWhenOff: card.groupsWhenOff,
    // The checklist follows a repository's deliveries: none at workspace level.
    setup: null,
  };
}

/** The workspace page's calls; `save` speaks the repository card's interface (SettingsApi). */
export function workspaceApi(transport: Transport) {
  const unsupported = () => Promise.reject(new Error("not available for workspace defaults"));
  let cards: WorkspaceDefaultsCard[] = [];
  const api = {
    load: async () => {
      const res = await transport.get<WorkspaceDefaultsResponse>("/workspace/defaults");
      cards = res.integrations;
      return res;
    },
    save: async (integration: string, patch: SettingsPatch): Promise<SettingsCard> => {
      const saved = await transport.put<Pick<WorkspaceDefaultsCard, "values" | "secrets" | "set">>(`/workspace/defaults/${encodeURIComponent(integration)}`, patch);
      const base = cards.find((c) => c.id === integration)!;
      return asSettingsCard({ ...base, ...saved });
    },
    apply: (integration: string, repositories: "all" | string[]) =>
      transport.post<ApplyRun>(`/workspace/defaults/${encodeURIComponent(integration)}/apply`, { repositories }),
    run: (id: string) => transport.get<ApplyRun>(`/workspace/defaults/runs/${encodeURIComponent(id)}`),
  };
  const cardApi: SettingsApi = { load: unsupported, save: api.save, runAction: unsupported, activity: unsupported, replay: unsupported } as unknown as SettingsApi;
  return { ...api, cardApi };
}

export type WorkspaceApi = ReturnType<typeof workspaceApi>;
