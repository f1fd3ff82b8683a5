import { randomUUID } from "node:crypto";
import { QueryTypes } from "sequelize";
import type { Database } from "../../db/database";
import type { SecretBox } from "../../crypto/secrets";

/** How long a replaced secret still verifies deliveries after DC took the new one (deliveries in flight). */
export const PREVIOUS_SECRET_GRACE_MS = 10 * 60_000;

/**
 * A repository webhook's signing secrets. `current` is what DC holds; `next` is a secret being
 * handed to DC (written before the PUT/POST that carries it, so a delivery DC signs with it the
 * moment it has it verifies); `previous` is the one replaced, valid until `previousUntil` (epoch ms).
 */
export interface WebhookSecrets {
  current?: string;
  next?: string;
  previous?: string;
  previousUntil?: number;
}

export type WebhookOutcome = "registered" | "repaired" | "unchanged" | "removed" | "failed";

/** DC's latest invocation of the webhook, as its `…/webhooks/{id}/latest` reports it (SUCCESS, FAILURE, ERROR). */
export interface LastInvocation {
  outcome: string;
  event: string | null;
  /** Epoch ms the invocation finished. */
  at: number | null;
}

/** One row of `datacenter_webhooks` (migration 0700), secrets opened. */
export interface WebhookRecord {
  id: string;
  installationId: string;
  /** `dc:<instance>:<repository id>`. */
  repositoryUuid: string;
  projectKey: string;
  repositorySlug: string;
  /** DC's webhook id; null while none is registered. */
  webhookId: number | null;
  secrets: WebhookSecrets;
  events: string[];
  lastOutcome: WebhookOutcome;
  lastError: string | null;
  /** Null when DC has none to report (or does not offer it). */
  lastDelivery: LastInvocation | null;
  checkedAt: number;
}

/** Associated data the secrets of one row are sealed with (binds them to installation + repository; rotation.ts). */
export function dataCenterWebhookSecretsAad(installationId: string, repositoryUuid: string): string {
  return `datacenter-webhook:${installationId}:${repositoryUuid}`;
}

/** The secrets a delivery may be signed with now: current, next, and previous while in its grace period. */
export function acceptedSecrets(s: WebhookSecrets, now = Date.now()): string[] {
  const out = [s.current, s.next];
  if (s.previous && (s.previousUntil ?? 0) > now) out.push(s.previous);
  return out.filter((v): v is string => typeof v === "string" && v.length > 0);
}

interface Row {
  id: string;
  installation_id: string;
  repository_uuid: string;
  project_key: string;
  repository_slug: string;
  webhook_id: string | number | null;
  secrets_enc: string | null;
  events: string | null;
  last_outcome: string;
  last_error: string | null;
  last_delivery: string | null;
  checked_at: string | number;
}

const COLUMNS = "id, installation_id, repository_uuid, project_key, repository_slug, webhook_id, secrets_enc, events, last_outcome, last_error, last_delivery, checked_at";

/**
 * The `datacenter_webhooks` table: what the app registered on each DC repository. Secrets are
 * sealed with the SecretBox, bound to (installation, repository); never logged or returned by the API.
 */
export class DataCenterWebhookStore {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
  ) {}

  private open(r: Row): WebhookRecord {
    return {
      id: r.id,
      installationId: r.installation_id,
      repositoryUuid: r.repository_uuid,
      projectKey: r.project_key,
      repositorySlug: r.repository_slug,
      webhookId: r.webhook_id === null ? null : Number(r.webhook_id),
      secrets: r.secrets_enc ? (JSON.parse(this.box.decrypt(r.secrets_enc, dataCenterWebhookSecretsAad(r.installation_id, r.repository_uuid))) as WebhookSecrets) : {},
      events: r.events ? (JSON.parse(r.events) as string[]) : [],
      lastOutcome: r.last_outcome as WebhookOutcome,
      lastError: r.last_error,
      lastDelivery: r.last_delivery ? (JSON.parse(r.last_delivery) as LastInvocation) : null,
      checkedAt: Number(r.checked_at),
    };
  }

  async get(installationId: string, repositoryUuid: string): Promise<WebhookRecord | null> {
    const rows = await this.db.sequelize.query<Row>(`SELECT ${COLUMNS} FROM datacenter_webhooks WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid`, {
      replacements: { installationId, repositoryUuid },
      type: QueryTypes.SELECT,
    });
    return rows[0] ? this.open(rows[0]) : null;
  }

  /** Every row of an installation (the repair loop's list), by repository id. */
  async list(installationId: string): Promise<WebhookRecord[]> {
    const rows = await this.db.sequelize.query<Row>(`SELECT ${COLUMNS} FROM datacenter_webhooks WHERE installation_id = :installationId ORDER BY repository_uuid`, {
      replacements: { installationId },
      type: QueryTypes.SELECT,
    });
    return rows.map((r) => this.open(r));
  }

  /** Writes a row (inserted on first save, keyed by installation + repository); returns it as stored. */
  async save(rec: Omit<WebhookRecord, "id" | "lastDelivery"> & { id?: string; lastDelivery?: LastInvocation | null }): Promise<WebhookRecord> {
    const id = rec.id ?? randomUUID();
    const hasSecret = acceptedSecrets(rec.secrets, 0).length > 0 || Boolean(rec.secrets.previous);
    const replacements = {
      id,
      installationId: rec.installationId,
      repositoryUuid: rec.repositoryUuid,
      projectKey: rec.projectKey,
      repositorySlug: rec.repositorySlug,
      webhookId: rec.webhookId,
      secretsEnc: hasSecret ? this.box.encrypt(JSON.stringify(rec.secrets), dataCenterWebhookSecretsAad(rec.installationId, rec.repositoryUuid)) : null,
      events: JSON.stringify(rec.events),
      lastOutcome: rec.lastOutcome,
      lastError: rec.lastError ? rec.lastError.slice(0, 2000) : null,
      lastDelivery: rec.lastDelivery ? JSON.stringify(rec.lastDelivery) : null,
      checkedAt: rec.checkedAt,
      now: Date.now(),
    };
    await this.db.sequelize.query(
      `INSERT INTO datacenter_webhooks (${COLUMNS}, created_at)
       VALUES (:id, :installationId, :repositoryUuid, :projectKey, :repositorySlug, :webhookId, :secretsEnc, :events, :lastOutcome, :lastError, :lastDelivery, :checkedAt, :now)
       ON CONFLICT (installation_id, repository_uuid) DO UPDATE SET
         project_key = EXCLUDED.project_key, repository_slug = EXCLUDED.repository_slug, webhook_id = EXCLUDED.webhook_id,
         secrets_enc = EXCLUDED.secrets_enc, events = EXCLUDED.events, last_outcome = EXCLUDED.last_outcome,
         last_error = EXCLUDED.last_error, last_delivery = EXCLUDED.last_delivery, checked_at = EXCLUDED.checked_at`,
      { replacements },
    );
    return (await this.get(rec.installationId, rec.repositoryUuid))!;
  }
}

/** What the settings page may show of a repository's webhook (no secret): its state on DC and the last check. */
export interface WebhookStatusView {
  registered: boolean;
  webhookId: number | null;
  events: string[];
  /** The last check's outcome (`failed` with `lastError`). */
  state: WebhookOutcome;
  lastError: string | null;
  lastDelivery: LastInvocation | null;
  checkedAt: number;
  /** Epoch ms until which the secret replaced by the last rotation still verifies deliveries (null: none). */
  previousSecretUntil: number | null;
}

/** The public view of a row (null when the app never registered a webhook there). */
export function webhookStatusView(rec: WebhookRecord | null, now = Date.now()): WebhookStatusView | null {
  if (!rec) return null;
  const until = rec.secrets.previous && (rec.secrets.previousUntil ?? 0) > now ? rec.secrets.previousUntil! : null;
  return {
    registered: rec.webhookId !== null,
    webhookId: rec.webhookId,
    events: rec.events,
    state: rec.lastOutcome,
    lastError: rec.lastError,
    lastDelivery: rec.lastDelivery,
    checkedAt: rec.checkedAt,
    previousSecretUntil: until,
  };
}
