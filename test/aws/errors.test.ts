import assert from "node:assert/strict";
import { HeadBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { credentialsFor } from "../../src/aws/clients";
import { AwsPermanentError, AwsRetryableError, classifyAwsError, explainAwsError, explainEntryError, type AwsCallContext } from "../../src/aws/errors";
import { PermanentError } from "../../src/http/errors";
import { FakeS3 } from "../fakes/s3";
import { FakeSts } from "../fakes/aws/sts";
import { FakeEventBridge } from "../fakes/aws/eventbridge";

const BUCKET = "far-away-archive";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** What a real SDK call against the fakes threw. */
async function thrown(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error("the call succeeded");
}

describe("AWS errors: one translator into reasons an admin can act on", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)
  let s3: FakeS3;
  let sts: FakeSts;
  let events: FakeEventBridge;
  const saved = { ...process.env };
  const client = (region = "us-east-1") =>
    new S3Client({
      region,
      endpoint: s3.url,
      forcePathStyle: true,
      credentials: { accessKeyId: "AKIATEST", secretAccessKey: "secret" },
      requestChecksumCalculation: "WHEN_REQUIRED",
      maxAttempts: 1,
    });
  const ctx: AwsCallContext = { service: "s3", region: "us-east-1", bucket: BUCKET, roleArn: "arn:aws:iam::123456789012:role/relay", kmsKeyId: KEY_ARN };

  before(async () => {
    s3 = await FakeS3.start([BUCKET, "near-archive"]);
    s3.placeBucket(BUCKET, "eu-west-1");
    sts = await new FakeSts().start();
    events = await FakeEventBridge.start({ knownBuses: ["orders"] });
    Object.assign(process.env, { AWS_ENDPOINT_URL_STS: sts.url, AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "secret" });
  });
  after(async () => {
    process.env = saved;
    await Promise.allSettled([s3.close(), sts.close(), events.close()]);
  });

  it("a bucket in another region: S3's 301 PermanentRedirect (PUT) and bare 301 (HEAD) both name the bucket's region", async () => {
    for (const call of [
      () => client().send(new PutObjectCommand({ Bucket: BUCKET, Key: "k", Body: "x" })),
      () => client().send(new HeadBucketCommand({ Bucket: BUCKET })),
    ]) {
      const p = explainAwsError(await thrown(call), ctx);
      assert.equal(p.kind, "wrong-region");
      assert.equal(p.retryable, false);
      assert.match(p.reason, /^the bucket far-away-archive is in eu-west-1, not in us-east-1: set the region to eu-west-1/);
    }
    const direct = s3.requests.filter((r) => r.path.startsWith(`/${BUCKET}`)).map((r) => r.status);
    assert.deepEqual(direct, [301, 301], "the fake answered as S3 does");
    // Signed for the bucket's own region, the same calls go through.
    await client("eu-west-1").send(new HeadBucketCommand({ Bucket: BUCKET }));
  });

  it("KMS: an unknown, disabled or deleted key, and a role the key does not allow, each say what to fix", async () => {
    const cases: Array<[Parameters<FakeS3["kmsKey"]>[1] | "unknown", RegExp]> = [
      ["disabled", /is disabled: enable it in KMS/],
      ["pending-deletion", /cannot be used in its current state/],
      ["denied", /may not use arn:aws:kms:.*: allow kms:GenerateDataKey and kms:Decrypt on the key/],
      ["unknown", /was not found: check the KMS key id/],
    ];
    for (const [state, reason] of cases) {
      const keyId = state === "unknown" ? `${KEY_ARN}-gone` : KEY_ARN;
      if (state !== "unknown") s3.kmsKey(KEY_ARN, state);
      const err = await thrown(() =>
        client().send(new PutObjectCommand({ Bucket: "near-archive", Key: "k", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: keyId })),
      );
      const p = explainAwsError(err, { ...ctx, bucket: "near-archive", kmsKeyId: keyId });
      assert.equal(p.kind, "kms", `${state}: ${p.reason}`);
      assert.match(p.reason, reason);
    }
    s3.kmsKey(KEY_ARN, "enabled");
    await client().send(new PutObjectCommand({ Bucket: "near-archive", Key: "k", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: KEY_ARN }));
  });

  it("access denied by the role or a bucket policy, a missing bucket, and a busy S3", async () => {
    s3.inject({ method: "PUT", path: /\/near-archive\/denied$/, status: 403, code: "AccessDenied", message: "Access Denied" });
    const denied = explainAwsError(await thrown(() => client().send(new PutObjectCommand({ Bucket: "near-archive", Key: "denied", Body: "x" }))), {
      ...ctx,
      bucket: "near-archive",
      key: "denied",
    });
    assert.equal(denied.kind, "access-denied");
    assert.match(denied.reason, /^access denied to the role arn:aws:iam::123456789012:role\/relay on s3:\/\/near-archive\/denied: .*no bucket policy denies it/);

    const missing = explainAwsError(await thrown(() => client().send(new HeadBucketCommand({ Bucket: "no-such-bucket" }))), { ...ctx, bucket: "no-such-bucket" });
    assert.equal(missing.kind, "bucket-missing");
    assert.match(missing.reason, /the bucket no-such-bucket does not exist/);

    s3.inject({ method: "PUT", path: /\/near-archive\/busy$/, status: 503, code: "SlowDown", message: "Please reduce your request rate." });
    const busy = classifyAwsError(await thrown(() => client().send(new PutObjectCommand({ Bucket: "near-archive", Key: "busy", Body: "x" }))), ctx);
    assert.ok(busy instanceof AwsRetryableError);
    assert.equal((busy as AwsRetryableError).retryable, true);
  });

  it("a role that does not trust the app (or a wrong ExternalId): the failing call reports the role, not S3", async () => {
    const role = "arn:aws:iam::123456789012:role/not-trusting";
    sts.allowRole(role, "the-right-one");
    const assumed = new S3Client({
      region: "us-east-1",
      endpoint: s3.url,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: credentialsFor({ region: "us-east-1", roleArn: role, externalId: "a-wrong-one" }),
    });
    const s3Calls = s3.requests.length;
    const err = classifyAwsError(await thrown(() => assumed.send(new HeadBucketCommand({ Bucket: "near-archive" }))), { ...ctx, roleArn: role });
    assert.ok(err instanceof AwsPermanentError && err instanceof PermanentError);
    assert.equal(err.problem.kind, "assume-role");
    assert.match(err.message, /^the app could not assume the role arn:aws:iam::123456789012:role\/not-trusting: .*sts:ExternalId equal to the ExternalId shown on the settings page/);
    assert.match(err.message, /AWS: AccessDenied: User: arn:aws:iam::111111111111:user\/bitbucket-relay is not authorized to perform: sts:AssumeRole/);
    assert.equal(s3.requests.length, s3Calls, "S3 was never called without credentials");
  });

  it("a missing event bus names the bus and the region", async () => {
    const eb = new EventBridgeClient({ region: "eu-central-1", endpoint: events.url, credentials: { accessKeyId: "AKIATEST", secretAccessKey: "s" }, maxAttempts: 1 });
    const err = await thrown(() => eb.send(new PutRuleCommand({ Name: "r", EventBusName: "aws.partner/buildkite.com/acme/123", EventPattern: "{}" })));
    const p = explainAwsError(err, { service: "eventbridge", region: "eu-central-1", eventBus: "aws.partner/buildkite.com/acme/123" });
    assert.equal(p.kind, "event-bus-missing");
    assert.match(p.reason, /^the event bus aws\.partner\/buildkite\.com\/acme\/123 does not exist in eu-central-1: create it or correct the bus name and region/);
  });

  it("a missing event bus reported per entry by PutEvents (inside a 200) reads the same", async () => {
    const eb = new EventBridgeClient({ region: "eu-central-1", endpoint: events.url, credentials: { accessKeyId: "AKIATEST", secretAccessKey: "s" }, maxAttempts: 1 });
    const out = await eb.send(new PutEventsCommand({ Entries: [{ Source: "relay", DetailType: "t", Detail: "{}", EventBusName: "customer-bus" }] }));
    const entry = out.Entries![0]!;
    assert.equal(out.FailedEntryCount, 1);
    const p = explainEntryError(entry.ErrorCode!, entry.ErrorMessage!, { service: "eventbridge", region: "eu-central-1", eventBus: "customer-bus" });
    assert.equal(p.kind, "event-bus-missing");
    assert.match(p.reason, /^the event bus customer-bus does not exist in eu-central-1/);
  });

  it("leaves errors that are not AWS answers as they are", () => {
    const bug = new TypeError("x is undefined");
    assert.equal(classifyAwsError(bug), bug);
    const permanent = new PermanentError("No IAM role configured");
    assert.equal(classifyAwsError(permanent), permanent);
  });
});
