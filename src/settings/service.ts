import { randomUUID } from "node:crypto";
import type { Transaction } from "sequelize";
import { RepoSettingsRecord, SettingsChange } from "../models";
import type { SecretBox } from "../crypto/secrets";
import type { Database } from "../db/database";
import { integrationDefinition, type IntegrationDefinition, type IntegrationId, type IntegrationSettings } from "./registry";

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
  /** Secret fields: a string replaces, null clears, absent keeps. */
  secrets?: Record<string, string | null>;
}

/** Associated data of a repository's settings secrets (binds them to the row; src/crypto/rotation.ts). */
export function repoSettingsSecretsAad(installationId: string, repositoryUuid: string): string {
  return `repo-settings:${installationId}:${repositoryUuid}`;
}

/**
 * Per-repository settings: one row per (installation, repository), a validated document per
 * integration, secret fields encrypted (bound to the row) and never returned in full.
 */
export class SettingsService {
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
  private async checkOutbound(def: IntegrationDefinition, installationId: string, repositoryUuid: string, patch: SettingsPatch): Promise<void> {
    const fields = (def.outboundUrls ?? []).filter((f) => typeof (patch.values?.[f] ?? patch.secrets?.[f]) === "string");
    if (!fields.length) return;
    const { docs, secrets } = await this.load(installationId, repositoryUuid);
    const current = def.schema.safeParse({ ...(docs[def.id] ?? {}), ...(secrets[def.id] ?? {}) });
    const before = (current.success ? current.data : {}) as Doc;
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

  private definition(integration: string) {
    const def = integrationDefinition(integration);
    if (!def) throw new UnknownIntegrationError(`Unknown integration: ${integration}`);
    return def;
  }

  /** The full document (secrets included) for handlers. Defaults when nothing is stored. */
  async get<I extends IntegrationId>(installationId: string, repositoryUuid: string, integration: I): Promise<IntegrationSettings<I>> {
    const def = this.definition(integration);
    const { docs, secrets } = await this.load(installationId, repositoryUuid);
    const parsed = def.schema.safeParse({ ...(docs[integration] ?? {}), ...(secrets[integration] ?? {}) });
    // A stored document that no longer parses (schema moved on) falls back to defaults, switched off.
    return (parsed.success ? parsed.data : { ...def.schema.parse({}), enabled: false }) as IntegrationSettings<I>;
  }

  /** What the settings page sees: every integration's document, secrets as set / not set. */
  async publicView(installationId: string, repositoryUuid: string, integrations: string[]): Promise<Record<string, PublicSettings>> {
    const { docs, secrets } = await this.load(installationId, repositoryUuid);
    const out: Record<string, PublicSettings> = {};
    for (const id of integrations) {
      const def = this.definition(id);
      const parsed = def.schema.safeParse({ ...(docs[id] ?? {}), ...(secrets[id] ?? {}) });
      const full = (parsed.success ? parsed.data : def.schema.parse({})) as Doc;
      const view: PublicSettings = { secrets: {} };
      for (const [k, v] of Object.entries(full)) if (!def.secretFields.includes(k)) view[k] = v;
      for (const f of def.secretFields) view.secrets[f] = { set: Boolean(secrets[id]?.[f]) };
      out[id] = view;
    }
    return out;
  }

  /** Validates and saves a patch; records who changed which fields. Saving the same values twice changes nothing. */
  async update(
    installationId: string,
    repository: { uuid: string; fullName?: string | null },
    integration: string,
    patch: SettingsPatch,
    actor: string | null,
  ): Promise<PublicSettings> {
    const def = this.definition(integration);
    for (const key of Object.keys(patch.values ?? {})) {
      if (def.secretFields.includes(key)) throw new SettingsValidationError([{ path: key, message: "is a secret: send it under secrets" }]);
    }
    for (const key of Object.keys(patch.secrets ?? {})) {
      if (!def.secretFields.includes(key)) throw new SettingsValidationError([{ path: `secrets.${key}`, message: "is not a secret field" }]);
    }
    await this.checkOutbound(def, installationId, repository.uuid, patch);
    await this.db.transaction(async (transaction) => {
      const { row, docs, secrets } = await this.load(installationId, repository.uuid, transaction);
      const currentDoc = docs[integration] ?? {};
      const currentSecrets = { ...(secrets[integration] ?? {}) };
      const nextDoc: Doc = { ...currentDoc, ...(patch.values ?? {}) };
      for (const [k, v] of Object.entries(patch.secrets ?? {})) {
        if (v === null || v === "") delete currentSecrets[k];
        else currentSecrets[k] = v;
      }
      const parsed = def.schema.safeParse({ ...nextDoc, ...currentSecrets });
      if (!parsed.success) {
        throw new SettingsValidationError(parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
      }
      const clean = parsed.data as Doc;
      const previous = def.schema.safeParse({ ...currentDoc, ...(secrets[integration] ?? {}) });
      const before = (previous.success ? previous.data : {}) as Doc;
      const storedDoc: Doc = {};
      for (const [k, v] of Object.entries(clean)) if (!def.secretFields.includes(k)) storedDoc[k] = v;
      const changed = [
        ...Object.keys(storedDoc).filter((k) => JSON.stringify(storedDoc[k]) !== JSON.stringify(before[k])),
        ...def.secretFields.filter((f) => (secrets[integration]?.[f] ?? null) !== (currentSecrets[f] ?? null)),
      ];
      if (!changed.length && row) return;
      docs[integration] = storedDoc;
      secrets[integration] = currentSecrets;
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
      }
    });
    return (await this.publicView(installationId, repository.uuid, [integration]))[integration]!;
  }

  /** Repositories of an installation with an integration switched on, with their documents. */
  async enabledRepositories<I extends IntegrationId>(
    installationId: string,
    integration: I,
  ): Promise<Array<{ repositoryUuid: string; repositoryFullName: string | null; settings: IntegrationSettings<I> }>> {
    const rows = await RepoSettingsRecord.findAll({ where: { installationId } });
    const out: Array<{ repositoryUuid: string; repositoryFullName: string | null; settings: IntegrationSettings<I> }> = [];
    for (const row of rows) {
      const docs = JSON.parse(row.documents) as Docs;
      if (docs[integration]?.enabled !== true) continue;
      out.push({
        repositoryUuid: row.repositoryUuid,
        repositoryFullName: row.repositoryFullName,
        settings: await this.get(installationId, row.repositoryUuid, integration),
      });
    }
    return out;
  }
}
