import type { Services } from "../../../core/services";
import type { InstallationView } from "../../../core/installations";
import { isRetryable } from "../../../http/errors";
import { publishEvents } from "../../eventbridge-out/publisher";
import type { DetectedVersion, RegistrationTarget, TargetResult } from "./target";

export const TEMPLATE_VERSION_DETECTED = "Template Version Detected";

/** The event's detail: enough for CloudFormation Git sync / CodePipeline rules to act on. */
export function templateVersionDetail(v: DetectedVersion): Record<string, unknown> {
  return {
    template: v.template,
    kind: v.kind,
    major: v.major,
    minor: v.minor,
    contentHash: v.contentHash,
    s3Bundle: { bucket: v.bundle.bucket, key: v.bundle.key, region: v.bundle.region, uri: `s3://${v.bundle.bucket}/${v.bundle.key}` },
    commit: v.commit,
    branch: v.branch,
    repository: { uuid: v.repositoryUuid, fullName: v.repositoryFullName },
    ...(v.kind === "service" ? { compatibleEnvironments: v.compatibleEnvironments } : {}),
  };
}

/**
 * The second registration target, beside Proton: a `Template Version Detected` event on the
 * customer's EventBridge bus, through the EventBridge-out integration (skipped when that is off for
 * the repository).
 */
export class TemplateVersionEventTarget implements RegistrationTarget {
  readonly id = "event" as const;

  constructor(
    private readonly services: Services,
    private readonly installation: InstallationView,
  ) {}

  async register(v: DetectedVersion, { lastAttempt }: { lastAttempt: boolean }): Promise<TargetResult> {
    try {
      const out = await publishEvents(this.services, this.installation, v.repositoryUuid, [
        { detailType: TEMPLATE_VERSION_DETECTED, detail: templateVersionDetail(v) },
      ]);
      if (out.published > 0) return { state: "done" };
      if (out.deferred) return { state: "done", detail: "handed to EventBridge out's retry job" };
      return { state: "skipped", reason: out.skipped ?? "not published" };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!isRetryable(err) || lastAttempt) return { state: "failed", reason: message.slice(0, 500) };
      return { state: "retry", error: err instanceof Error ? err : new Error(message) };
    }
  }
}
