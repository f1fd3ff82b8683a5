import { randomUUID } from "node:crypto";
import type { Transaction } from "sequelize";
import { QueryTypes } from "sequelize";
import { RepoSettingsRecord, SettingsChange, WorkspaceSettingsRecord } from "../models";
import type { SecretBox } from "../crypto/secrets";
import type { Database } from "../db/database";
import { integrationDefinition, type IntegrationDefinition, type IntegrationId, type IntegrationSettings } from "./registry";
import { EMPTY_LAYER, effectiveDocument, inheritedFields, type SettingsLayer } from "./overlay";

export interface SettingsIssue {
  path: string;
  message: string;
}

export class SettingsValidationError extends Error {
  constructor(readonly issues: SettingsIssue[]) {
    super(issues.map((i) => `${i.path || "settings"}: ${i.message}`).join("; "));
    this.name = "SettingsValidationError";
  }
}

export class UnknownIntegrationError extends Error {}

type Doc = Record<string, unknown>;
type Docs = Record<string, Doc>;
type Secrets = Record<string, Record<string, string>>;

/** What leaves the server: the document with every secret replaced by whether it is set. */
export type PublicSettings = Record<string, unknown> & { secrets: Record<string, { set: boolean }> };

export interface SettingsPatch {
  /** Non-secret fields to change; absent fields keep their value. */
  values?: Record<string, unknown>;
  /** Secret fields: a string replaces, null clears (a repository then inherits the workspace's), absent keeps. */
  secrets?: Record<string, string | null>;
  /** Fields (secret or not) whose own value is dropped: a repository inherits them from the workspace defaults. */
  inherit?: string[];
}

/** A saved settings change, as `onChange` listeners see it: `repositoryUuid` null for the workspace defaults. */
export interface SettingsChangeEvent {
  installationId: string;
  repositoryUuid: string | null;
  integration: string;
  /** The fields whose own value changed (set, changed or dropped). */
  fields: string[];
}

/** Runs inside the transaction that saves the change (database writes only: enqueue work, no HTTP). */
export type SettingsChangeListener = (change: SettingsChangeEvent, transaction: Transaction) => Promise<void>;

/** The repository UUID under which workspace-default changes are recorded in `settings_changes`. */
export const WORKSPACE_SCOPE = "*";

/** The workspace defaults of one integration as the workspace page sees them (no secret values). */
export interface PublicDefaults {
  /** The schema's defaults overlaid by the workspace's own fields. */
  values: Record<string, unknown>;
  secrets: Record<string, { set: boolean }>;
  /** The fields (secret or not) the workspace sets: what repositories inherit. */
  set: string[];
}

/** Associated data of a repository's settings secrets (binds them to the row; src/crypto/rotation.ts). */
export function repoSettingsSecretsAad(installationId: string, repositoryUuid: string): string {
  return `repo-settings:${installationId}:${repositoryUuid}`;
}

/** Associated data of a workspace's default secrets (binds them to the row; src/crypto/rotation.ts). */
export function workspaceSettingsSecretsAad(installationId: string): string {
  return `workspace-settings:${installationId}`;
}

/**
 * Per-repository settings: one row per (installation, repository), a validated document per
 * integration, secret fields encrypted (bound to the row) and never returned in full.
 */
export class SettingsService {
  private readonly changeListeners: SettingsChangeListener[] = [];

  /**
   * Adds a listener of saved changes (e.g. the Data Center door enqueues its webhook registration
   * when an integration is switched on): called in the saving transaction, so the work it enqueues
   * exists exactly when the change does. A listener that throws fails the save.
   */
  onChange(listener: SettingsChangeListener): void {
    this.changeListeners.push(listener);
  }

  private async changed(change: SettingsChangeEvent, transaction: Transaction): Promise<void> {
    for (const l of this.changeListeners) await l(change, transaction);
  }

  /**
   * @param checkOutboundUrl the outbound policy's save-time check of a tenant URL (HttpClient.checkTenantUrl):
   *   rejects with the reason when the URL may not be called.
   */
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly checkOutboundUrl: (url: string) => Promise<void> = async () => {},
  ) {}

  /**
   * The outbound policy on the URLs a patch changes (outside the transaction: it resolves names).
   * Unparseable values are left to the schema's own message; unchanged ones are not resolved again.
   */
  private async checkOutbound(def: IntegrationDefinition, installationId: string, repositoryUuid: string | null, patch: SettingsPatch): Promise<void> {
    const fields = (def.outboundUrls ?? []).filter((f) => typeof (patch.values?.[f] ?? patch.secrets?.[f]) === "string");
    if (!fields.length) return;
    const before = repositoryUuid
      ? await this.effective(def, installationId, repositoryUuid)
      : effectiveDocument(def, EMPTY_LAYER, await this.workspaceLayer(def, installationId));
    const issues: SettingsIssue[] = [];
    for (const field of fields) {
      const value = String(patch.values?.[field] ?? patch.secrets?.[field]).trim();
      if (!value || value === before[field] || !URL.canParse(value)) continue;
      try {
        await this.checkOutboundUrl(value);
      } catch (err) {
        issues.push({ path: field, message: err instanceof Error ? err.message : String(err) });
      }
    }
    if (issues.length) throw new SettingsValidationError(issues);
  }

  private aad(installationId: string, repositoryUuid: string) {
    return repoSettingsSecretsAad(installationId, repositoryUuid);
  }

  private async load(installationId: string, repositoryUuid: string, transaction?: Transaction) {
    const row = await RepoSettingsRecord.findOne({ where: { installationId, repositoryUuid }, transaction });
    const docs: Docs = row ? (JSON.parse(row.documents) as Docs) : {};
    const secrets: Secrets = row?.secretsEnc
      ? (JSON.parse(this.box.decrypt(row.secretsEnc, this.aad(installationId, repositoryUuid))) as Secrets)
      : {};
    return { row, docs, secrets };
  }

  private workspaceAad(installationId: string) {
    return workspaceSettingsSecretsAad(installationId);
  }

  private async loadWorkspace(installationId: string, transaction?: Transaction) {
    const row = await WorkspaceSettingsRecord.findOne({ where: { installationId }, transaction });
    const docs: Docs = row ? (JSON.parse(row.documents) as Docs) : {};
    const secrets: Secrets = row?.secretsEnc ? (JSON.parse(this.box.decrypt(row.secretsEnc, this.workspaceAad(installationId))) as Secrets) : {};
    return { row, docs, secrets };
  }

  private async workspaceLayer(def: IntegrationDefinition, installationId: string): Promise<SettingsLayer> {
    const { docs, secrets } = await this.loadWorkspace(installationId);
    return { doc: docs[def.id] ?? {}, secrets: secrets[def.id] ?? {} };
  }

  /** The workspace and repository layers of every integration of one repository (two reads). */
  private async layers(installationId: string, repositoryUuid: string) {
    const [ws, repo] = await Promise.all([this.loadWorkspace(installationId), this.load(installationId, repositoryUuid)]);
    return (id: string): { workspace: SettingsLayer; repository: SettingsLayer } => ({
      workspace: { doc: ws.docs[id] ?? {}, secrets: ws.secrets[id] ?? {} },
      repository: { doc: repo.docs[id] ?? {}, secrets: repo.secrets[id] ?? {} },
    });
  }

  private async effective(def: IntegrationDefinition, installationId: string, repositoryUuid: string): Promise<Doc> {
    const { workspace, repository } = (await this.layers(installationId, repositoryUuid))(def.id);
    return effectiveDocument(def, workspace, repository);
  }

  private definition(integration: string) {
    const def = integrationDefinition(integration);
    if (!def) throw new UnknownIntegrationError(`Unknown integration: ${integration}`);
    return def;
  }

  /**
   * The effective document (secrets included) for handlers: the workspace defaults overlaid by the
   * repository's own fields (src/settings/overlay.ts). Defaults when nothing is stored.
   */
  async get<I extends IntegrationId>(installationId: string, repositoryUuid: string, integration: I): Promise<IntegrationSettings<I>> {
    return (await this.effective(this.definition(integration), installationId, repositoryUuid)) as IntegrationSettings<I>;
  }

  /** What the settings page sees: every integration's effective document, secrets as set / not set. */
  async publicView(installationId: string, repositoryUuid: string, integrations: string[]): Promise<Record<string, PublicSettings>> {
    const layersOf = await this.layers(installationId, repositoryUuid);
    const out: Record<string, PublicSettings> = {};
    for (const id of integrations) {
      const def = this.definition(id);
      const { workspace, repository } = layersOf(id);
      const full = effectiveDocument(def, workspace, repository);
      const view: PublicSettings = { secrets: {} };
      for (const [k, v] of Object.entries(full)) if (!def.secretFields.includes(k)) view[k] = v;
      for (const f of def.secretFields) view.secrets[f] = { set: Boolean(full[f]) };
      out[id] = view;
    }
    return out;
  }

  /** Per integration, the fields a repository takes from the workspace defaults (sorted). */
  async inherited(installationId: string, repositoryUuid: string, integrations: string[]): Promise<Record<string, string[]>> {
    const layersOf = await this.layers(installationId, repositoryUuid);
    const out: Record<string, string[]> = {};
    for (const id of integrations) {
      const { workspace, repository } = layersOf(id);
      out[id] = inheritedFields(this.definition(id), workspace, repository);
    }
    return out;
  }

  /** The field names of an integration's document (secret fields included). */
  fieldsOf(def: IntegrationDefinition): string[] {
    return [...new Set([...Object.keys(def.schema.parse({}) as Doc), ...def.secretFields])];
  }

  private checkPatchKeys(def: IntegrationDefinition, patch: SettingsPatch, scope: "repository" | "workspace"): void {
    const issues: SettingsIssue[] = [];
    for (const key of Object.keys(patch.values ?? {})) {
      if (def.secretFields.includes(key)) issues.push({ path: key, message: "is a secret: send it under secrets" });
    }
    for (const key of Object.keys(patch.secrets ?? {})) {
      if (!def.secretFields.includes(key)) issues.push({ path: `secrets.${key}`, message: "is not a secret field" });
    }
    const fields = this.fieldsOf(def);
    for (const key of patch.inherit ?? []) if (!fields.includes(key)) issues.push({ path: `inherit.${key}`, message: "is not a field" });
    if (scope === "workspace") {
      for (const key of [...Object.keys(patch.values ?? {}), ...(patch.inherit ?? [])]) {
        if (def.repositoryOnly?.includes(key)) issues.push({ path: key, message: "can only be set per repository" });
      }
    }
    if (issues.length) throw new SettingsValidationError(issues);
  }

  /**
   * Applies a patch to one layer's fields of one integration: values and secrets set, nulls and
   * `inherit` dropped. Returns the layer's next fields (not yet validated).
   */
  private nextLayer(current: SettingsLayer, patch: SettingsPatch): SettingsLayer {
    const doc: Doc = { ...current.doc, ...(patch.values ?? {}) };
    const secrets = { ...current.secrets };
    for (const [k, v] of Object.entries(patch.secrets ?? {})) {
      if (v === null || v === "") delete secrets[k];
      else secrets[k] = v;
    }
    for (const k of patch.inherit ?? []) {
      delete doc[k];
      delete secrets[k];
    }
    return { doc, secrets };
  }

  /** The fields whose own value differs between two layers (set, changed or dropped). */
  private changedFields(def: IntegrationDefinition, before: SettingsLayer, after: SettingsLayer): string[] {
    const keys = new Set([...Object.keys(before.doc), ...Object.keys(after.doc)]);
    return [
      ...[...keys].filter((k) => JSON.stringify(before.doc[k]) !== JSON.stringify(after.doc[k])),
      ...def.secretFields.filter((f) => (before.secrets[f] ?? null) !== (after.secrets[f] ?? null)),
    ];
  }

  /**
   * Validates and saves a patch of a repository's own fields; records who changed which fields.
   * Only the fields the repository sets are stored (the rest it inherits from the workspace
   * defaults); the effective document must parse. Saving the same values twice changes nothing.
   */
  async update(
    installationId: string,
    repository: { uuid: string; fullName?: string | null },
    integration: string,
    patch: SettingsPatch,
    actor: string | null,
  ): Promise<PublicSettings> {
    const def = this.definition(integration);
    this.checkPatchKeys(def, patch, "repository");
    await this.checkOutbound(def, installationId, repository.uuid, patch);
    await this.db.transaction(async (transaction) => {
      const { row, docs, secrets } = await this.load(installationId, repository.uuid, transaction);
      const ws = await this.loadWorkspace(installationId, transaction);
      const workspace = { doc: ws.docs[integration] ?? {}, secrets: ws.secrets[integration] ?? {} };
      const current = { doc: docs[integration] ?? {}, secrets: secrets[integration] ?? {} };
      const next = this.nextLayer(current, patch);
      const stored = this.validated(def, workspace, next);
      const changed = this.changedFields(def, current, stored);
      if (!changed.length && row) return;
      docs[integration] = stored.doc;
      secrets[integration] = stored.secrets;
      const now = Date.now();
      const sealed = this.box.encrypt(JSON.stringify(secrets), this.aad(installationId, repository.uuid));
      if (row) {
        await row.update(
          {
            documents: JSON.stringify(docs),
            secretsEnc: sealed,
            version: row.version + 1,
            updatedAt: now,
            updatedBy: actor,
            repositoryFullName: repository.fullName ?? row.repositoryFullName,
          },
          { transaction },
        );
      } else {
        await RepoSettingsRecord.create(
          {
            id: randomUUID(),
            installationId,
            repositoryUuid: repository.uuid,
            repositoryFullName: repository.fullName ?? null,
            documents: JSON.stringify(docs),
            secretsEnc: sealed,
            updatedAt: now,
            updatedBy: actor,
          },
          { transaction },
        );
      }
      if (changed.length) {
        await SettingsChange.create(
          { installationId, repositoryUuid: repository.uuid, integration, actor, fields: JSON.stringify(changed), at: now },
          { transaction },
        );
        await this.changed({ installationId, repositoryUuid: repository.uuid, integration, fields: changed }, transaction);
      }
    });
    return (await this.publicView(installationId, repository.uuid, [integration]))[integration]!;
  }

  /**
   * A layer's fields once the document they make (over `base`) parses: each set field normalised by
   * the schema (defaults of nested values filled in). SettingsValidationError naming the fields otherwise.
   */
  private validated(def: IntegrationDefinition, base: SettingsLayer, next: SettingsLayer): SettingsLayer {
    const parsed = def.schema.safeParse({ ...base.doc, ...base.secrets, ...next.doc, ...next.secrets });
    if (!parsed.success) {
      throw new SettingsValidationError(parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
    }
    const clean = parsed.data as Doc;
    const doc: Doc = {};
    for (const k of Object.keys(next.doc)) if (k in clean && !def.secretFields.includes(k)) doc[k] = clean[k];
    return { doc, secrets: next.secrets };
  }

  /** The workspace defaults of each integration: the schema's defaults overlaid by the workspace's fields. */
  async defaultsView(installationId: string, integrations: string[]): Promise<Record<string, PublicDefaults>> {
    const { docs, secrets } = await this.loadWorkspace(installationId);
    const out: Record<string, PublicDefaults> = {};
    for (const id of integrations) {
      const def = this.definition(id);
      const layer = { doc: docs[id] ?? {}, secrets: secrets[id] ?? {} };
      const full = effectiveDocument(def, EMPTY_LAYER, layer);
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(full)) if (!def.secretFields.includes(k)) values[k] = v;
      const view: PublicDefaults = { values, secrets: {}, set: [...Object.keys(layer.doc), ...Object.keys(layer.secrets)].sort() };
      for (const f of def.secretFields) view.secrets[f] = { set: Boolean(layer.secrets[f]) };
      out[id] = view;
    }
    return out;
  }

  /**
   * Validates and saves a patch of the workspace defaults of one integration (workspace admins only:
   * the caller checks). The defaults must parse on their own; repository-only fields are refused.
   * Recorded in `settings_changes` under {@link WORKSPACE_SCOPE}.
   */
  async updateDefaults(installationId: string, integration: string, patch: SettingsPatch, actor: string | null): Promise<PublicDefaults> {
    const def = this.definition(integration);
    this.checkPatchKeys(def, patch, "workspace");
    await this.checkOutbound(def, installationId, null, patch);
    await this.db.transaction(async (transaction) => {
      const { row, docs, secrets } = await this.loadWorkspace(installationId, transaction);
      const current = { doc: docs[integration] ?? {}, secrets: secrets[integration] ?? {} };
      const stored = this.validated(def, EMPTY_LAYER, this.nextLayer(current, patch));
      const changed = this.changedFields(def, current, stored);
      if (!changed.length) return;
      docs[integration] = stored.doc;
      secrets[integration] = stored.secrets;
      const now = Date.now();
      const sealed = this.box.encrypt(JSON.stringify(secrets), this.workspaceAad(installationId));
      if (row) {
        await row.update({ documents: JSON.stringify(docs), secretsEnc: sealed, version: row.version + 1, updatedAt: now, updatedBy: actor }, { transaction });
      } else {
        await WorkspaceSettingsRecord.create({ installationId, documents: JSON.stringify(docs), secretsEnc: sealed, updatedAt: now, updatedBy: actor }, { transaction });
      }
      await SettingsChange.create(
        { installationId, repositoryUuid: WORKSPACE_SCOPE, integration, actor, fields: JSON.stringify(changed), at: now },
        { transaction },
      );
      await this.changed({ installationId, repositoryUuid: null, integration, fields: changed }, transaction);
    });
    return (await this.defaultsView(installationId, [integration]))[integration]!;
  }

  /** The fields (secret or not) a repository sets itself for one integration (sorted); empty without settings of its own. */
  async ownFields(installationId: string, repositoryUuid: string, integration: string): Promise<string[]> {
    const { docs, secrets } = await this.load(installationId, repositoryUuid);
    return [...Object.keys(docs[integration] ?? {}), ...Object.keys(secrets[integration] ?? {})].sort();
  }

  /** The repositories of an installation that have settings of their own (uuid, full name), by full name. */
  async repositoriesWithSettings(installationId: string): Promise<Array<{ uuid: string; fullName: string | null }>> {
    const rows = await RepoSettingsRecord.findAll({ where: { installationId }, attributes: ["repositoryUuid", "repositoryFullName"] });
    return rows
      .map((r) => ({ uuid: r.repositoryUuid, fullName: r.repositoryFullName }))
      .sort((a, b) => (a.fullName ?? a.uuid).localeCompare(b.fullName ?? b.uuid));
  }

  /**
   * Repositories of an installation with an integration switched on (effective settings), with their
   * documents: those with settings of their own, and, while the workspace default switches it on,
   * every other repository the app has received events of (deliveries) — they follow the defaults.
   */
  async enabledRepositories<I extends IntegrationId>(
    installationId: string,
    integration: I,
  ): Promise<Array<{ repositoryUuid: string; repositoryFullName: string | null; settings: IntegrationSettings<I> }>> {
    const def = this.definition(integration);
    const ws = await this.loadWorkspace(installationId);
    const workspace = { doc: ws.docs[integration] ?? {}, secrets: ws.secrets[integration] ?? {} };
    const rows = await RepoSettingsRecord.findAll({ where: { installationId } });
    type Entry = { repositoryUuid: string; repositoryFullName: string | null; settings: IntegrationSettings<I> };
    const out: Entry[] = [];
    const consider = (repositoryUuid: string, repositoryFullName: string | null, repository: SettingsLayer) => {
      const doc = effectiveDocument(def, workspace, repository);
      if (doc.enabled === true) out.push({ repositoryUuid, repositoryFullName, settings: doc as IntegrationSettings<I> });
    };
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.repositoryUuid);
      const docs = JSON.parse(row.documents) as Docs;
      const own = docs[integration] ?? {};
      // Secrets are decrypted only for repositories that may be on.
      if (own.enabled === false || (own.enabled === undefined && effectiveDocument(def, workspace, EMPTY_LAYER).enabled !== true)) continue;
      const secrets: Secrets = row.secretsEnc ? (JSON.parse(this.box.decrypt(row.secretsEnc, this.aad(installationId, row.repositoryUuid))) as Secrets) : {};
      consider(row.repositoryUuid, row.repositoryFullName, { doc: own, secrets: secrets[integration] ?? {} });
    }
    if (effectiveDocument(def, workspace, EMPTY_LAYER).enabled === true) {
      for (const repo of await this.knownRepositories(installationId)) {
        if (!seen.has(repo.uuid)) consider(repo.uuid, repo.fullName, EMPTY_LAYER);
      }
    }
    return out;
  }

  /** Repositories the app has received events of (the deliveries it keeps), with their latest full name. */
  private async knownRepositories(installationId: string): Promise<Array<{ uuid: string; fullName: string | null }>> {
    const rows = await this.db.sequelize.query<{ repository_uuid: string; full_name: string | null }>(
      `SELECT repository_uuid, MAX(repository_full_name) AS full_name FROM deliveries
        WHERE installation_id = :installationId AND repository_uuid IS NOT NULL GROUP BY repository_uuid`,
      { replacements: { installationId }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ uuid: r.repository_uuid, fullName: r.full_name }));
  }
}
