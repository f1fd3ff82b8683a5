import { QueryTypes } from "sequelize";
import type { Database } from "../db/database";
import type { Logger } from "../config/logger";
import type { Metrics } from "../config/metrics";
import type { SecretBox } from "./secrets";
import { installationSecretsAad } from "../core/installations";
import { repoSettingsSecretsAad, workspaceSettingsSecretsAad } from "../settings/service";
import { dcLoginVerifierAad, dcUserGrantAad } from "../datacenter/login/models";
import { dataCenterWebhookSecretsAad } from "../datacenter/webhooks/store";

/**
 * A column holding SecretBox ciphertext: its table, the text column, the key columns that order a
 * pass (the first one unique) and the associated data the owner seals it with.
 */
export interface SealedColumn {
  table: string;
  column: string;
  /** Selected with each row; `keys[0]` must be unique (the pass walks the table in its order). */
  keys: string[];
  aad(row: Record<string, string>): string;
}

/** Every stored secret. A module that stores SecretBox text elsewhere adds its column with `registerSealedColumn`. */
const SEALED_COLUMNS = new Map<string, SealedColumn>([
  ["installations.secrets_enc", { table: "installations", column: "secrets_enc", keys: ["id"], aad: (r) => installationSecretsAad(r.id!) }],
  [
    "repo_settings.secrets_enc",
    { table: "repo_settings", column: "secrets_enc", keys: ["id", "installation_id", "repository_uuid"], aad: (r) => repoSettingsSecretsAad(r.installation_id!, r.repository_uuid!) },
  ],
  [
    "workspace_settings.secrets_enc",
    { table: "workspace_settings", column: "secrets_enc", keys: ["installation_id"], aad: (r) => workspaceSettingsSecretsAad(r.installation_id!) },
  ],
  // Data Center login (migration 0710): users' OAuth tokens, and PKCE verifiers of logins in progress.
  ["dc_user_grants.tokens_enc", { table: "dc_user_grants", column: "tokens_enc", keys: ["id"], aad: (r) => dcUserGrantAad(r.id!) }],
  ["dc_login_attempts.verifier_enc", { table: "dc_login_attempts", column: "verifier_enc", keys: ["state_hash"], aad: (r) => dcLoginVerifierAad(r.state_hash!) }],
  [
    "datacenter_webhooks.secrets_enc",
    { table: "datacenter_webhooks", column: "secrets_enc", keys: ["id", "installation_id", "repository_uuid"], aad: (r) => dataCenterWebhookSecretsAad(r.installation_id!, r.repository_uuid!) },
  ],
]);

export function registerSealedColumn(c: SealedColumn): void {
  SEALED_COLUMNS.set(`${c.table}.${c.column}`, c);
}

export function sealedColumns(): SealedColumn[] {
  return [...SEALED_COLUMNS.values()];
}

export interface ReencryptionResult {
  /** Rows with a value, read in this pass. */
  scanned: number;
  /** Rows moved from a previous key to the current one. */
  reencrypted: number;
  /** Rows no configured key opens (left as they are; logged with their table and id). */
  unreadable: number;
}

/**
 * One pass over every sealed column: each value sealed under a previous key is sealed again under the
 * current key. Idempotent and resumable (a value already under the current key is left alone, so a
 * pass interrupted by a restart simply starts again); safe beside other instances and live writes
 * (each update is conditional on the ciphertext it read). Progress: a log line per batch and
 * `relay_secrets_reencrypted_total`. `shouldStop` is asked between batches.
 */
export async function reencryptSecrets(
  deps: { db: Database; box: SecretBox; log: Logger; metrics?: Metrics },
  opts: { batchSize?: number; shouldStop?: () => boolean } = {},
): Promise<ReencryptionResult> {
  const { db, box, log, metrics } = deps;
  const batchSize = opts.batchSize ?? 200;
  const total: ReencryptionResult = { scanned: 0, reencrypted: 0, unreadable: 0 };
  for (const c of sealedColumns()) {
    let after = "";
    for (;;) {
      if (opts.shouldStop?.()) return total;
      const rows = await db.sequelize.query<Record<string, string>>(
        `SELECT ${c.keys.join(", ")}, ${c.column} AS sealed FROM ${c.table}
          WHERE ${c.column} IS NOT NULL AND ${c.keys[0]} > :after ORDER BY ${c.keys[0]} LIMIT :limit`,
        { replacements: { after, limit: batchSize }, type: QueryTypes.SELECT },
      );
      if (!rows.length) break;
      let moved = 0;
      for (const row of rows) {
        total.scanned++;
        let next: string | null;
        try {
          next = box.reseal(row.sealed!, c.aad(row));
        } catch {
          total.unreadable++;
          log.error({ table: c.table, id: row[c.keys[0]!] }, "a stored secret opens with no configured key (ENCRYPTION_KEY, ENCRYPTION_KEY_PREVIOUS): left as it is");
          continue;
        }
        if (next === null) continue;
        await db.sequelize.query(`UPDATE ${c.table} SET ${c.column} = :next WHERE ${c.keys[0]} = :id AND ${c.column} = :sealed`, {
          replacements: { next, id: row[c.keys[0]!], sealed: row.sealed },
        });
        moved++;
      }
      total.reencrypted += moved;
      metrics?.secretsReencrypted.inc({ table: c.table }, moved);
      if (moved) log.info({ table: c.table, reencrypted: total.reencrypted, scanned: total.scanned }, "re-encrypting stored secrets with the current ENCRYPTION_KEY");
      after = rows[rows.length - 1]![c.keys[0]!]!;
    }
  }
  metrics?.secretsUnreadable.set(total.unreadable);
  return total;
}

/**
 * Starts the background re-encryption when previous keys are configured (where the worker runs):
 * one pass, then a log line saying whether ENCRYPTION_KEY_PREVIOUS can be removed.
 */
export function startReencryption(deps: { db: Database; box: SecretBox; log: Logger; metrics?: Metrics; afterPass?: () => void }): {
  done: Promise<ReencryptionResult | null>;
  stop(): Promise<void>;
} {
  let stopping = false;
  const done = (async () => {
    if (!deps.box.rotating) return null;
    try {
      const result = await reencryptSecrets(deps, { shouldStop: () => stopping });
      deps.afterPass?.();
      if (stopping) return result;
      if (result.unreadable) deps.log.error(result, "key rotation finished with unreadable secrets: keep ENCRYPTION_KEY_PREVIOUS and check the keys");
      else deps.log.info(result, "key rotation done: every stored secret is under ENCRYPTION_KEY; ENCRYPTION_KEY_PREVIOUS can be removed once every instance runs this key");
      return result;
    } catch (err) {
      deps.log.error({ err }, "key rotation pass failed (it runs again at the next start)");
      return null;
    }
  })();
  return {
    done,
    async stop() {
      stopping = true;
      await done;
    },
  };
}
