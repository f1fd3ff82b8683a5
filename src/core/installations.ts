import { randomUUID } from "node:crypto";
import { Op } from "sequelize";
import { Delivery, Installation, Job, RepoSettingsRecord, SettingsChange } from "../models";
import type { CredentialKind, HostKind } from "../models/installation";
import type { SecretBox } from "../crypto/secrets";
import type { Database } from "../db/database";

/** What the rest of the app sees of an installation: no secrets. */
export interface InstallationView {
  id: string;
  host: HostKind;
  clientKey: string;
  appKey: string;
  credentialKind: CredentialKind;
  /** Cloud only: the workspace UUID; null on hosts without workspaces (Data Center). */
  workspaceUuid: string | null;
  workspaceSlug: string | null;
  /** The host's scope of the installation (Cloud: the workspace UUID; Data Center: the instance id). */
  hostScope: string | null;
  baseUrl: string;
  baseApiUrl: string;
}

export interface InstallInput {
  host: HostKind;
  clientKey: string;
  appKey: string;
  credentialKind: CredentialKind;
  /** Cloud: the workspace. Hosts without workspaces (Data Center) leave it out and give `hostScope`. */
  workspace?: { uuid: string; slug?: string | null; name?: string | null };
  /** The host's scope when there is no workspace (Data Center: the instance id; `dataCenterInstanceId`). */
  hostScope?: string;
  baseUrl: string;
  baseApiUrl: string;
  /** Secrets to set (e.g. the Connect shared secret); others already stored are kept. */
  secrets: Record<string, string>;
  installedBy?: string | null;
}

type PurgeHook = (installationId: string) => Promise<void>;

export function toView(i: Installation): InstallationView {
  return {
    id: i.id,
    host: i.host,
    clientKey: i.clientKey,
    appKey: i.appKey,
    credentialKind: i.credentialKind,
    workspaceUuid: i.workspaceUuid,
    workspaceSlug: i.workspaceSlug,
    hostScope: i.hostScope ?? i.workspaceUuid,
    baseUrl: i.baseUrl,
    baseApiUrl: i.baseApiUrl,
  };
}

/** Associated data of an installation's `secrets_enc` (binds it to the row; src/crypto/rotation.ts). */
export function installationSecretsAad(id: string): string {
  return `installation:${id}`;
}

/** Installations of the app, whatever front door they came through. */
export class InstallationService {
  private readonly purgeHooks: PurgeHook[] = [];
  /**
   * Every authenticated request looks its tenant up (and its secret up, to verify a JWT): a short
   * cache keeps that off the database. Changes made by this instance clear it at once; another
   * instance's changes are seen within CACHE_MS.
   */
  private readonly cache = new Map<string, { value: Promise<unknown>; until: number }>();
  private static readonly CACHE_MS = 5_000;

  /**
   * The lookup's promise is cached, so that the requests arriving while it runs share it (when an
   * entry ran out under load, every concurrent request used to read the row and decrypt it again).
   */
  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.value as Promise<T>;
    if (this.cache.size > 10_000) this.cache.clear();
    const entry = { value: load(), until: Date.now() + InstallationService.CACHE_MS };
    this.cache.set(key, entry);
    const drop = () => {
      if (this.cache.get(key) === entry) this.cache.delete(key);
    };
    try {
      const value = (await entry.value) as T;
      if (value === null) drop(); // never cache "not found": a new installation is visible at once
      return value;
    } catch (err) {
      drop();
      throw err;
    }
  }

  /** Forgets cached lookups (call after changing an installation row outside this service). */
  forget(): void {
    this.cache.clear();
  }

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
  ) {}

  private aad(id: string) {
    return installationSecretsAad(id);
  }

  async install(input: InstallInput): Promise<InstallationView> {
    this.forget();
    const now = Date.now();
    return this.db.transaction(async (transaction) => {
      transaction.afterCommit(() => this.forget());
      const existing = await Installation.findOne({ where: { host: input.host, clientKey: input.clientKey }, transaction });
      if (existing) {
        const secrets = { ...this.box.decryptJson(existing.secretsEnc, this.aad(existing.id)), ...input.secrets };
        await existing.update(
          {
            appKey: input.appKey,
            credentialKind: input.credentialKind,
            workspaceUuid: input.workspace?.uuid ?? null,
            hostScope: input.hostScope ?? input.workspace?.uuid ?? null,
            workspaceSlug: input.workspace?.slug ?? existing.workspaceSlug,
            workspaceName: input.workspace?.name ?? existing.workspaceName,
            baseUrl: input.baseUrl,
            baseApiUrl: input.baseApiUrl,
            secretsEnc: this.box.encryptJson(secrets, this.aad(existing.id)),
            installedBy: input.installedBy ?? existing.installedBy,
            updatedAt: now,
          },
          { transaction },
        );
        return toView(existing);
      }
      const id = randomUUID();
      const created = await Installation.create(
        {
          id,
          host: input.host,
          clientKey: input.clientKey,
          appKey: input.appKey,
          credentialKind: input.credentialKind,
          workspaceUuid: input.workspace?.uuid ?? null,
          hostScope: input.hostScope ?? input.workspace?.uuid ?? null,
          workspaceSlug: input.workspace?.slug ?? null,
          workspaceName: input.workspace?.name ?? null,
          baseUrl: input.baseUrl,
          baseApiUrl: input.baseApiUrl,
          secretsEnc: this.box.encryptJson(input.secrets, this.aad(id)),
          installedBy: input.installedBy ?? null,
          createdAt: now,
          updatedAt: now,
        },
        { transaction },
      );
      return toView(created);
    });
  }

  async findByClientKey(host: HostKind, clientKey: string): Promise<InstallationView | null> {
    return this.cached(`key:${host}:${clientKey}`, async () => {
      const row = await Installation.findOne({ where: { host, clientKey } });
      return row ? toView(row) : null;
    });
  }

  async get(id: string): Promise<InstallationView | null> {
    return this.cached(`id:${id}`, async () => {
      const row = await Installation.findByPk(id);
      return row ? toView(row) : null;
    });
  }

  async secrets(id: string): Promise<Record<string, string>> {
    // Decrypted once per cache period (every signed webhook needs the shared secret), not per call;
    // only in this process's memory, for CACHE_MS at most, cleared by any change. A copy per caller.
    const plain = await this.cached(`secrets:${id}`, async () => {
      const row = await Installation.findByPk(id, { attributes: ["id", "secretsEnc"] });
      return row ? Object.freeze(this.box.decryptJson(row.secretsEnc, this.aad(id))) : null;
    });
    return plain ? { ...plain } : {};
  }

  async secret(id: string, name: string): Promise<string | undefined> {
    return (await this.secrets(id))[name];
  }

  /** Sets (or, with null, removes) one installation secret. */
  async setSecret(id: string, name: string, value: string | null): Promise<void> {
    this.forget();
    await this.db.transaction(async (transaction) => {
      transaction.afterCommit(() => this.forget());
      const row = await Installation.findByPk(id, { transaction });
      if (!row) return;
      const secrets = this.box.decryptJson(row.secretsEnc, this.aad(id));
      if (value === null) delete secrets[name];
      else secrets[name] = value;
      await row.update({ secretsEnc: this.box.encryptJson(secrets, this.aad(id)), updatedAt: Date.now() }, { transaction });
    });
  }

  /** The secret, generated and stored on first use (API keys, ExternalIds). */
  async ensureSecret(id: string, name: string, generate: () => string): Promise<string> {
    const current = await this.secret(id, name);
    if (current) return current;
    await this.setSecret(id, name, generate());
    return (await this.secret(id, name))!;
  }

  /** Integrations with tables of their own register a purge for uninstall. */
  onPurge(hook: PurgeHook): void {
    this.purgeHooks.push(hook);
  }

  /** Uninstall: the tenant's settings, secrets, deliveries and queued work are deleted. */
  async purge(id: string): Promise<void> {
    this.forget();
    for (const hook of this.purgeHooks) await hook(id);
    await this.db.transaction(async (transaction) => {
      transaction.afterCommit(() => this.forget());
      await Job.destroy({ where: { installationId: id }, transaction });
      await Delivery.destroy({ where: { installationId: id }, transaction });
      await SettingsChange.destroy({ where: { installationId: id }, transaction });
      await RepoSettingsRecord.destroy({ where: { installationId: id }, transaction });
      await Installation.destroy({ where: { id }, transaction });
    });
  }

  async count(): Promise<number> {
    return Installation.count({ where: { id: { [Op.ne]: "" } } });
  }
}
