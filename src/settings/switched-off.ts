import { QueryTypes, type Transaction } from "sequelize";
import type { Database } from "../db/database";
import { EMPTY_LAYER, workspaceLayer } from "./overlay";
import { integrationDefinition, type IntegrationDefinition } from "./registry";

type Docs = Record<string, Record<string, unknown>>;

/** Whether `integration` is surely off for a repository of an installation. */
export type SwitchedOff = (installationId: string, repositoryUuid: string, integration: string) => boolean;

const defaultOn = new WeakMap<IntegrationDefinition, boolean>();
/** The schema's own `enabled` for `{}` (false for every shipped integration). */
function enabledByDefault(def: IntegrationDefinition): boolean {
  let on = defaultOn.get(def);
  if (on === undefined) {
    on = (def.schema.safeParse({}).data as { enabled?: unknown } | undefined)?.enabled === true;
    defaultOn.set(def, on);
  }
  return on;
}

/**
 * Which integrations are surely switched off for the given repositories, for ingest: it creates no
 * job for a handler registered with `requiresEnabled` where its integration is off (the job would
 * only end "ignored"). Two reads (repository and workspace documents of the installations named),
 * nothing decrypted, nothing parsed but the JSON: an integration counts as off when the `enabled`
 * the overlay takes (the repository's own field, else the workspace default's, else the schema's
 * default; src/settings/overlay.ts) is not `true`. When it is `true`, the effective document might
 * still be off (a combination that does not parse): the job is created and the worker decides, as
 * before. Integrations without a settings definition ("core") are never off.
 */
export async function switchedOff(db: Database, repos: ReadonlyArray<{ installationId: string; repositoryUuid: string }>, transaction?: Transaction): Promise<SwitchedOff> {
  if (!repos.length) return () => false;
  const installations = [...new Set(repos.map((r) => r.installationId))];
  const uuids = [...new Set(repos.map((r) => r.repositoryUuid))];
  const bind: string[] = [];
  const marks = (values: string[]) => values.map((v) => (bind.push(v), `$${bind.length}`)).join(", ");
  const installationMarks = marks(installations);
  const repoRows = await db.sequelize.query<{ installation_id: string; repository_uuid: string; documents: string }>(
    `SELECT installation_id, repository_uuid, documents FROM repo_settings WHERE installation_id IN (${installationMarks}) AND repository_uuid IN (${marks(uuids)})`,
    { bind, type: QueryTypes.SELECT, transaction },
  );
  const wsRows = await db.sequelize.query<{ installation_id: string; documents: string }>(
    `SELECT installation_id, documents FROM workspace_settings WHERE installation_id IN (${installationMarks})`,
    { bind: bind.slice(0, installations.length), type: QueryTypes.SELECT, transaction },
  );
  const repoDocs = new Map(repoRows.map((r) => [`${r.installation_id}\n${r.repository_uuid}`, JSON.parse(r.documents) as Docs]));
  const wsDocs = new Map(wsRows.map((r) => [r.installation_id, JSON.parse(r.documents) as Docs]));
  return (installationId, repositoryUuid, integration) => {
    const def = integrationDefinition(integration);
    if (!def) return false;
    const own = repoDocs.get(`${installationId}\n${repositoryUuid}`)?.[integration] ?? {};
    const ws = workspaceLayer(def, { ...EMPTY_LAYER, doc: wsDocs.get(installationId)?.[integration] ?? {} }).doc;
    const enabled = "enabled" in own ? own.enabled : "enabled" in ws ? ws.enabled : enabledByDefault(def);
    return enabled !== true;
  };
}
