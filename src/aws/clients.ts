import { STSClient, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { HttpsProxyAgent } from "https-proxy-agent";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { awsRuntimeConfig } from "../config/config";
import { PermanentError } from "../http/errors";
import { AssumeRoleError } from "./errors";

/**
 * Where and as whom the app calls a customer's AWS account. SaaS default: the customer's IAM role,
 * assumed with an ExternalId that the app generates per installation (the confused-deputy guard).
 * Self-hosted single-tenant deployments may use the default credential chain instead.
 */
export interface AwsTarget {
  region: string;
  roleArn?: string | null;
  /** Required with roleArn. */
  externalId?: string;
  sessionName?: string;
  /** Settings checks: one attempt, and connect/answer within this many ms (SDK defaults otherwise). */
  quickMs?: number;
}

export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;

/** Shared SDK settings: endpoints from AWS_ENDPOINT_URL_* (the SDK reads them), HTTPS_PROXY honoured (config loader). */
export function sdkBaseConfig(region: string, quickMs?: number) {
  const proxy = awsRuntimeConfig().httpsProxy;
  const handler = {
    ...(proxy ? { httpsAgent: new HttpsProxyAgent(proxy) } : {}),
    ...(quickMs ? { connectionTimeout: quickMs, requestTimeout: quickMs } : {}),
  };
  return {
    region,
    maxAttempts: quickMs ? 1 : 3,
    ...(Object.keys(handler).length ? { requestHandler: new NodeHttpHandler(handler) } : {}),
  };
}

const cache = new Map<string, { creds: AwsCredentialIdentity; expiresAt: number }>();

/** Credentials for a target: AssumeRole (cached until 5 minutes before expiry), or the default chain when allowed. */
export function credentialsFor(target: AwsTarget): AwsCredentialIdentityProvider | undefined {
  if (!target.roleArn) {
    if (awsRuntimeConfig().defaultCredentials) return undefined; // SDK default chain
    throw new PermanentError("No IAM role configured: set the role ARN in the repository settings");
  }
  if (!ROLE_ARN.test(target.roleArn)) throw new PermanentError(`Not an IAM role ARN: ${target.roleArn}`);
  if (!target.externalId) throw new PermanentError("No ExternalId for this installation");
  const roleArn = target.roleArn;
  const externalId = target.externalId;
  return async () => {
    const key = `${target.region}|${roleArn}|${externalId}`;
    const hit = cache.get(key);
    if (hit && hit.expiresAt - 5 * 60_000 > Date.now()) return hit.creds;
    const sts = new STSClient(sdkBaseConfig(target.region, target.quickMs));
    let out;
    try {
      out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: (target.sessionName ?? "bitbucket-relay").slice(0, 64),
          ExternalId: externalId,
          DurationSeconds: 3600,
        }),
      );
    } catch (err) {
      throw new AssumeRoleError(roleArn, err); // whichever call needed the credentials reports the role
    } finally {
      sts.destroy();
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("STS answered without credentials");
    const creds: AwsCredentialIdentity = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
    cache.set(key, { creds, expiresAt: c.Expiration ? c.Expiration.getTime() : Date.now() + 3600_000 });
    return creds;
  };
}

/** Config for any SDK v3 client: `new EventBridgeClient(awsClientConfig(target))`. */
export function awsClientConfig(target: AwsTarget) {
  return { ...sdkBaseConfig(target.region, target.quickMs), credentials: credentialsFor(target) };
}

/** The one AWS error translator (src/aws/errors.ts), re-exported for the integrations that import it from here. */
export { classifyAwsError, explainAwsError, type AwsCallContext } from "./errors";
