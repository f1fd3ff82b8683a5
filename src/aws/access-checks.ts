import type { SettingsCheck } from "../settings/registry";
import { credentialsFor, type AwsTarget } from "./clients";
import { explainAwsError, type AwsCallContext, type AwsProblem } from "./errors";

/** Settings checks wait at most this long for each AWS answer (one attempt). */
export const CHECK_TIMEOUT_MS = 5000;

/** A failed check's message: the translated reason (src/aws/errors.ts). */
export function failedCheck(label: string, err: unknown, ctx: AwsCallContext): SettingsCheck & { problem: AwsProblem } {
  const problem = explainAwsError(err, ctx);
  return { label, ok: false, message: problem.reason, problem };
}

/**
 * A dry run of STS AssumeRole with the installation's ExternalId, as the integration's calls will do
 * it. Without a role ARN: fine when the operator allows the default credential chain
 * (RELAY_AWS_DEFAULT_CREDENTIALS), a failed check otherwise.
 */
export async function checkAssumeRole(target: AwsTarget): Promise<SettingsCheck> {
  const label = "IAM role";
  let provider;
  try {
    provider = credentialsFor({ ...target, quickMs: CHECK_TIMEOUT_MS });
  } catch (err) {
    return { label, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  if (!provider) return { label, ok: true, message: "the app's default AWS credentials are used (RELAY_AWS_DEFAULT_CREDENTIALS)" };
  try {
    await provider();
    return { label, ok: true, message: `the app assumed ${target.roleArn} with this installation's ExternalId` };
  } catch (err) {
    return failedCheck(label, err, { service: "sts", region: target.region, roleArn: target.roleArn });
  }
}
