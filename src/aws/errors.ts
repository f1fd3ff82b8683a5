import { PermanentError } from "../http/errors";

/** Which AWS service a call went to, and what the settings named: the translator's words come from it. */
export interface AwsCallContext {
  service?: "s3" | "sts" | "proton" | "eventbridge";
  /** The region the settings name. */
  region?: string;
  bucket?: string;
  key?: string;
  roleArn?: string | null;
  kmsKeyId?: string;
  eventBus?: string;
}

export type AwsProblemKind =
  | "wrong-region"
  | "assume-role"
  | "access-denied"
  | "kms"
  | "bucket-missing"
  | "event-bus-missing"
  | "not-found"
  | "app-credentials"
  | "busy"
  | "unreachable"
  | "rejected";

/** What went wrong, in words a repository admin can act on, and whether a retry can help. */
export interface AwsProblem {
  kind: AwsProblemKind;
  /** AWS's error code (`AccessDenied`, `KMS.DisabledException`, `PermanentRedirect`, …) or the network code. */
  code: string;
  status: number | null;
  retryable: boolean;
  reason: string;
}

/**
 * Raised by `credentialsFor` when STS AssumeRole fails, so that whatever call needed the credentials
 * (S3, Proton, EventBridge) reports the role, not the service it was about to call.
 */
export class AssumeRoleError extends Error {
  readonly $metadata: unknown;
  readonly $fault: unknown;
  readonly code: string | undefined;
  constructor(
    readonly roleArn: string,
    override readonly cause: unknown,
  ) {
    const c = cause as { name?: string; message?: string; $metadata?: unknown; $fault?: unknown; code?: string };
    super(`${c?.name ?? "Error"}: ${c?.message ?? String(cause)}`);
    this.name = "AssumeRoleError";
    this.$metadata = c?.$metadata;
    this.$fault = c?.$fault;
    this.code = c?.code;
  }
}

/** An AWS failure after translation; `retryable` is read by the worker (PermanentError when false). */
export class AwsPermanentError extends PermanentError {
  constructor(readonly problem: AwsProblem) {
    super(problem.reason);
    this.name = "AwsPermanentError";
  }
}

export class AwsRetryableError extends Error {
  readonly retryable = true;
  constructor(
    readonly problem: AwsProblem,
    override readonly cause: unknown,
  ) {
    super(problem.reason);
    this.name = "AwsRetryableError";
  }
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  code?: string;
  Region?: string;
  Endpoint?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  $retryable?: unknown;
}

const NETWORK = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "EPIPE", "TimeoutError", "RequestTimeout"]);
const BUSY = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "SlowDown", "RequestLimitExceeded", "ServiceUnavailable", "InternalError", "InternalFailure", "InternalException", "InternalServerException"]);
const APP_CREDENTIALS = new Set(["InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidSignatureException", "CredentialsProviderError"]);
const DENIED = new Set(["AccessDenied", "AccessDeniedException", "Forbidden", "AllAccessDisabled", "NotAuthorizedForSourceException"]);
const SERVICE_NAMES = { s3: "S3", sts: "STS", proton: "Proton", eventbridge: "EventBridge" } as const;

/** `eu-west-1` from `x-amz-bucket-region`, an AuthorizationHeaderMalformed `<Region>`, or a redirect `<Endpoint>`. */
function bucketRegionOf(e: SdkError): string | null {
  const header = e.$response?.headers?.["x-amz-bucket-region"];
  if (header) return header;
  if (e.Region) return e.Region;
  const m = /\.s3[.-]([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com/.exec(e.Endpoint ?? "") ?? /expecting '([a-z]{2}(?:-[a-z]+)+-\d)'/.exec(e.message ?? "");
  return m?.[1] ?? null;
}

const said = (code: string, message: string) => (message && message !== "UnknownError" ? ` (AWS: ${code}: ${message.slice(0, 300)})` : ` (AWS: ${code})`);

/**
 * Translates an error thrown by an AWS SDK v3 call into a reason an admin can act on. Reads the
 * error code (`name`, S3's `Code`), the HTTP status, and for S3 region redirects the
 * `x-amz-bucket-region` header of the raw response (S3 answers 301 PermanentRedirect, or 400
 * AuthorizationHeaderMalformed naming the expected region, when a request is signed for another
 * region; HEAD requests get the bare 301). KMS failures come from S3 as `KMS.*` codes
 * (`KMS.NotFoundException`, `KMS.DisabledException`, `KMS.KMSInvalidStateException`) or as an
 * AccessDenied naming a `kms:` action. AssumeRole failures arrive wrapped in AssumeRoleError.
 */
export function explainAwsError(err: unknown, ctx: AwsCallContext = {}): AwsProblem {
  const assumeRole = err instanceof AssumeRoleError;
  const e = (assumeRole ? err.cause : err) as SdkError;
  const status = e?.$metadata?.httpStatusCode ?? null;
  const code = e?.Code ?? (e?.name && e.name !== "Unknown" ? e.name : null) ?? e?.code ?? (status ? String(status) : "Error");
  const message = e?.message ?? String(err);
  const service = assumeRole ? "sts" : (ctx.service ?? null);
  const svc = service ? SERVICE_NAMES[service] : "AWS";
  const role = (assumeRole ? err.roleArn : ctx.roleArn) || "the app's own AWS identity";
  const aws = said(code, message);
  const problem = (kind: AwsProblemKind, reason: string, retryable = false): AwsProblem => ({ kind, code, status, retryable, reason: reason + aws });

  if (!e?.$metadata && (NETWORK.has(code) || NETWORK.has(e?.code ?? ""))) {
    return problem("unreachable", `${svc} could not be reached; the call will be retried`, true);
  }
  if (status === 429 || BUSY.has(code) || (status !== null && status >= 500)) {
    return problem("busy", `${svc} is busy or failing; the call will be retried`, true);
  }
  if (service === "sts") {
    if (APP_CREDENTIALS.has(code)) {
      return problem("app-credentials", "STS refused the app's own AWS credentials: the operator of this app must fix them (nothing to change in the repository settings)");
    }
    if (code === "RegionDisabledException") return problem("assume-role", `STS is not activated in ${ctx.region ?? "this region"} for the role's account: activate the region in IAM account settings`);
    return problem(
      "assume-role",
      `the app could not assume the role ${role}: its trust policy must allow this app's AWS account to call sts:AssumeRole with the condition sts:ExternalId equal to the ExternalId shown on the settings page (a wrong ExternalId, a role that does not trust the app, or a role that does not exist all end here)`,
    );
  }
  if (code === "PermanentRedirect" || code === "AuthorizationHeaderMalformed" || code === "IllegalLocationConstraintException" || status === 301) {
    const actual = bucketRegionOf(e);
    const bucket = ctx.bucket ? `the bucket ${ctx.bucket}` : "the bucket";
    return problem(
      "wrong-region",
      actual
        ? `${bucket} is in ${actual}, not in ${ctx.region ?? "the region the settings name"}: set the region to ${actual}`
        : `${bucket} is in another region than ${ctx.region ?? "the one the settings name"}: set the bucket's region`,
    );
  }
  const key = ctx.kmsKeyId || "the KMS key";
  if (code.startsWith("KMS.") || (DENIED.has(code) && /\bkms:/i.test(message))) {
    if (code === "KMS.NotFoundException") return problem("kms", `${key} was not found: check the KMS key id (it must exist in the bucket's region)`);
    if (code === "KMS.DisabledException") return problem("kms", `${key} is disabled: enable it in KMS or choose another key`);
    if (code === "KMS.KMSInvalidStateException") return problem("kms", `${key} cannot be used in its current state (pending deletion or import): choose another key`);
    if (DENIED.has(code)) {
      return problem("kms", `the role ${role} may not use ${key}: allow kms:GenerateDataKey and kms:Decrypt on the key, in the role's policy and in the key policy`);
    }
    return problem("kms", `${key} cannot be used for encryption`);
  }
  if (code === "InvalidArgument" && /kms|arn|key/i.test(message) && ctx.kmsKeyId) {
    return problem("kms", `${key} is not a valid KMS key id or ARN`);
  }
  if (APP_CREDENTIALS.has(code)) return problem("app-credentials", `${svc} refused the credentials it was called with: check the role and the app's AWS credentials`);
  if (code === "NoSuchBucket" || (service === "s3" && status === 404 && (code === "NotFound" || code === "404"))) {
    return problem("bucket-missing", `the bucket ${ctx.bucket ?? "named in the settings"} does not exist: create it or correct the bucket name`);
  }
  if (code === "ResourceNotFoundException" && /event ?bus/i.test(message)) {
    return problem("event-bus-missing", `the event bus ${ctx.eventBus ?? "named in the settings"} does not exist in ${ctx.region ?? "this region"}: create it or correct the bus name and region`);
  }
  if (DENIED.has(code) || status === 403) {
    const where =
      service === "s3"
        ? ` on s3://${ctx.bucket ?? "<bucket>"}${ctx.key ? `/${ctx.key}` : ""}`
        : service === "eventbridge" && ctx.eventBus
          ? ` on the event bus ${ctx.eventBus}`
          : "";
    return problem(
      "access-denied",
      `access denied to the role ${role}${where}: allow the call in the role's permissions policy (copy it from the settings page)${service === "s3" ? " and check that no bucket policy denies it" : ""}`,
    );
  }
  if (code === "ResourceNotFoundException" || code === "NoSuchKey" || status === 404) return problem("not-found", `${svc}: not found`);
  if (e?.$fault === "client" || (status !== null && status >= 400)) return problem("rejected", `${svc} rejected the request`);
  return problem("unreachable", `${svc} call failed; it will be retried`, true);
}

/**
 * The same translation for an error AWS reports inside a 200 answer, per entry (EventBridge
 * PutEvents `Entries[i].ErrorCode` / `ErrorMessage`), where no HTTP status or exception exists.
 */
export function explainEntryError(code: string, message: string, ctx: AwsCallContext = {}): AwsProblem {
  return explainAwsError({ name: code, message, $metadata: {}, $fault: "client" }, ctx);
}

/**
 * The one way integrations turn an AWS SDK error into a job outcome: AwsPermanentError (the job ends
 * dead at once, with the reason) or AwsRetryableError (retried with back-off). See explainAwsError.
 */
export function classifyAwsError(err: unknown, ctx: AwsCallContext = {}): Error {
  if (err instanceof AwsPermanentError || err instanceof AwsRetryableError || err instanceof PermanentError) return err;
  const e = err as SdkError;
  const fromAws = err instanceof AssumeRoleError || e?.$metadata !== undefined || NETWORK.has(e?.code ?? "") || NETWORK.has(e?.name ?? "");
  if (!fromAws) return err instanceof Error ? err : new Error(String(err)); // not an AWS answer: a bug or another layer
  const problem = explainAwsError(err, ctx);
  return problem.retryable ? new AwsRetryableError(problem, err) : new AwsPermanentError(problem);
}
