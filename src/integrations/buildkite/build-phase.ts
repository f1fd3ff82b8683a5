import { QueryTypes } from "sequelize";
import type { BuildPhase, StatusQuestion } from "../../core/build-phase";
import type { Services } from "../../core/services";
import { buildStateOfDescription, phaseOfBuildState } from "./mapping";
import { storedKey } from "./reported-store";

/**
 * The phase of a status this integration posted (the build-alerts paging policy asks): found in
 * `buildkite_reported_statuses` (the slot's newest build state when the status is that one's,
 * else the state its description names: the app wrote it). Null for statuses it did not post.
 */
export async function buildkitePhase(services: Services, q: StatusQuestion): Promise<BuildPhase | null> {
  if (!q.commit || !q.key.startsWith("buildkite-")) return null;
  const [row] = await services.db.sequelize.query<{ build_state: string; status_body: string }>(
    `SELECT build_state, status_body FROM buildkite_reported_statuses
      WHERE installation_id = :installationId AND repository_uuid = :repositoryUuid AND commit_hash = :commit AND status_key = :key`,
    { replacements: { installationId: q.installationId, repositoryUuid: q.repositoryUuid, commit: q.commit.toLowerCase(), key: storedKey(q.key) }, type: QueryTypes.SELECT },
  );
  if (!row) return null;
  const body = JSON.parse(row.status_body) as { state: string; name?: string; description?: string };
  if (body.state === q.state && (body.name ?? null) === q.name && (body.description ?? null) === q.description) return phaseOfBuildState(row.build_state);
  const state = q.description ? buildStateOfDescription(q.description) : null;
  return state ? phaseOfBuildState(state) : null;
}
