import { HeadBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CHECK_TIMEOUT_MS, checkAssumeRole, failedCheck } from "../../aws/access-checks";
import { externalIdFor } from "../../aws/external-id";
import type { IntegrationPageContext, SettingsCheck } from "../../settings/registry";
import { encryptionParams, objectKey, s3ClientFor } from "./s3";
import type { ProtonSettings } from "./settings";

/** The object the write check puts (and overwrites) under the archive prefix. */
export const CHECK_OBJECT = ".bitbucket-relay-check";

/**
 * What can be checked of the S3 settings without a push: AssumeRole (dry run), HeadBucket in the
 * settings' region (a bucket elsewhere answers 301 with `x-amz-bucket-region`; needs s3:ListBucket),
 * and a small PutObject of `<prefix>/<project>/.bitbucket-relay-check` with the configured encryption
 * (the only way to know that the KMS key can be used). Stops at the first check that makes the
 * following ones meaningless. Empty when no bucket is set.
 */
export async function checkProtonAccess(ctx: IntegrationPageContext<ProtonSettings>): Promise<SettingsCheck[]> {
  const s = ctx.settings;
  if (!s.bucket) return [];
  const externalId = await externalIdFor(ctx.services.installations, ctx.installation.id);
  const target = { region: s.region, roleArn: s.roleArn || null, externalId, sessionName: "bitbucket-relay-check", quickMs: CHECK_TIMEOUT_MS };
  const role = await checkAssumeRole(target);
  if (!role.ok) return [role];
  const checks: SettingsCheck[] = [role];
  const project = s.project || ctx.repository.fullName?.split("/")[1] || "";
  const key = objectKey(s.prefix, project, CHECK_OBJECT);
  const aws = { service: "s3" as const, region: s.region, bucket: s.bucket, roleArn: s.roleArn, kmsKeyId: s.kmsKeyId };
  // The sync's own client (path style from the one config loader), with the checks' quick time limit.
  const s3 = s3ClientFor(s, externalId, { sessionName: target.sessionName, quickMs: CHECK_TIMEOUT_MS });
  try {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: s.bucket }));
      checks.push({ label: "Bucket", ok: true, message: `${s.bucket} is in ${s.region}` });
    } catch (err) {
      const failed = failedCheck("Bucket", err, aws);
      checks.push(failed);
      if (failed.problem.kind === "wrong-region" || failed.problem.kind === "bucket-missing") return checks;
    }
    try {
      const body = `Written by Bitbucket Relay to check its access when the settings of ${ctx.repository.fullName ?? ctx.repository.uuid} were saved.\n`;
      await s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: body, ContentType: "text/plain", ...encryptionParams(s) }));
      const sse = s.kmsKeyId ? `SSE-KMS with ${s.kmsKeyId}` : "SSE-S3";
      checks.push({ label: "Write", ok: true, message: `wrote s3://${s.bucket}/${key} (${sse})` });
    } catch (err) {
      checks.push(failedCheck("Write", err, { ...aws, key }));
    }
    return checks;
  } finally {
    s3.destroy();
  }
}
