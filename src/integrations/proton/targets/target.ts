import type { TemplateKind } from "../template-folder";

/** A template version as the registration targets see it. */
export interface DetectedVersion {
  repositoryUuid: string;
  repositoryFullName: string;
  template: string;
  kind: TemplateKind;
  major: number;
  /** The app's own minor numbering within the major (0 for a new major). */
  minor: number;
  contentHash: string;
  bundle: { bucket: string; key: string; region: string };
  commit: string;
  branch: string;
  compatibleEnvironments: Array<{ templateName: string; majorVersion: string }>;
  supportedComponentSources: string[];
  customerManagedPipeline: boolean;
}

/**
 * What a target made of one version. `unavailable` means the target as a whole cannot be reached
 * (denied, ended, kept failing): the other versions are not tried against it in this sync.
 * `retry` asks for the job to run again later (a transient failure before the last attempt).
 */
export type TargetResult =
  | { state: "done"; detail?: string }
  | { state: "skipped"; reason: string }
  | { state: "failed"; reason: string }
  | { state: "unavailable"; reason: string }
  | { state: "retry"; error: Error };

/** A registration target: AWS Proton, or the `Template Version Detected` event. */
export interface RegistrationTarget {
  readonly id: "proton" | "event";
  register(version: DetectedVersion, opts: { lastAttempt: boolean }): Promise<TargetResult>;
}
