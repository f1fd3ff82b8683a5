import type { ProtonTemplateVersion, RegistrationInfo, TargetState } from "./models";
import type { DetectedVersion, RegistrationTarget } from "./targets/target";

export interface RegisterContext {
  repositoryFullName: string;
  branch: string;
  region: string;
  lastAttempt: boolean;
}

/** Raised to let the job run again (transient target failure before the last attempt); progress is saved. */
export class RetrySync extends Error {
  readonly retryable = true;
  constructor(readonly original: Error) {
    super(`registration will be retried: ${original.message}`);
    this.name = "RetrySync";
  }
}

export function toDetected(row: ProtonTemplateVersion, c: RegisterContext): DetectedVersion {
  const reg: RegistrationInfo = row.registration
    ? (JSON.parse(row.registration) as RegistrationInfo)
    : { compatibleEnvironments: [], supportedComponentSources: [], customerManagedPipeline: false };
  return {
    repositoryUuid: row.repositoryUuid,
    repositoryFullName: c.repositoryFullName,
    template: row.template,
    kind: row.kind,
    major: row.major,
    minor: row.minor,
    contentHash: row.contentHash,
    bundle: { bucket: row.bundleBucket, key: row.bundleKey, region: c.region },
    commit: row.commit,
    branch: c.branch,
    compatibleEnvironments: reg.compatibleEnvironments,
    supportedComponentSources: reg.supportedComponentSources,
    customerManagedPipeline: reg.customerManagedPipeline,
  };
}

type Field = { state: "protonState" | "eventState"; reason: "protonReason" | "eventReason" };
const FIELDS: Record<RegistrationTarget["id"], Field> = {
  proton: { state: "protonState", reason: "protonReason" },
  event: { state: "eventState", reason: "eventReason" },
};

/**
 * Runs each pending (version, target) pair (environment templates first, then by template and major), and stores each outcome as it
 * comes, so a retried job only does what is left. Once a target is unavailable, the remaining
 * versions are marked unavailable for it without calling it again.
 */
export async function registerVersions(
  versions: Array<{ row: ProtonTemplateVersion }>,
  targets: RegistrationTarget[],
  c: RegisterContext,
): Promise<void> {
  // Environment templates first: a service version names the environment majors it is compatible with.
  const rank = (v: ProtonTemplateVersion) => `${v.kind === "environment" ? 0 : 1}|${v.template}|${String(v.major).padStart(8, "0")}`;
  const ordered = [...versions].sort((x, y) => (rank(x.row) < rank(y.row) ? -1 : rank(x.row) > rank(y.row) ? 1 : 0));
  const unavailable = new Map<string, string>();
  for (const target of targets) {
    const f = FIELDS[target.id];
    for (const { row } of ordered) {
      if (row[f.state] !== "pending") continue;
      const gone = unavailable.get(target.id);
      if (gone !== undefined) {
        await row.update({ [f.state]: "unavailable" as TargetState, [f.reason]: gone, updatedAt: Date.now() });
        continue;
      }
      const result = await target.register(toDetected(row, c), { lastAttempt: c.lastAttempt });
      if (result.state === "retry") throw new RetrySync(result.error);
      const patch: Record<string, unknown> = { [f.state]: result.state, updatedAt: Date.now() };
      patch[f.reason] = result.state === "done" ? null : result.reason;
      if (target.id === "proton" && result.state === "done") patch.protonVersion = result.detail ?? null;
      await row.update(patch);
      if (result.state === "unavailable") unavailable.set(target.id, result.reason);
    }
  }
}
