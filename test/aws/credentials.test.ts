import assert from "node:assert/strict";
import { credentialsFor } from "../../src/aws/clients";
import { PermanentError } from "../../src/http/errors";
import { FakeSts } from "../fakes/aws/sts";

describe("AWS credentials: AssumeRole with the installation's ExternalId", () => {
  let sts: FakeSts;
  const saved = { ...process.env };
  before(async () => {
    sts = await new FakeSts().start();
    process.env.AWS_ENDPOINT_URL_STS = sts.url;
    process.env.AWS_ACCESS_KEY_ID = "AKIATEST";
    process.env.AWS_SECRET_ACCESS_KEY = "secret";
  });
  after(async () => {
    process.env = saved;
    await sts.close();
  });

  it("assumes the role through the real STS client and caches the credentials", async () => {
    const role = "arn:aws:iam::123456789012:role/relay-ok";
    sts.allowRole(role, "ext-1");
    const provider = credentialsFor({ region: "eu-west-1", roleArn: role, externalId: "ext-1" })!;
    const a = await provider();
    const b = await provider();
    assert.match(a.accessKeyId, /^ASIA/);
    assert.equal(a.accessKeyId, b.accessKeyId);
    assert.equal(sts.calls.filter((c) => c.roleArn === role).length, 1);
  });

  it("is denied with the wrong ExternalId", async () => {
    const role = "arn:aws:iam::123456789012:role/relay-denied";
    sts.allowRole(role, "right");
    const provider = credentialsFor({ region: "eu-west-1", roleArn: role, externalId: "wrong" })!;
    await assert.rejects(provider(), /not authorized/);
  });

  it("refuses a malformed role ARN or a missing role without calling STS", () => {
    assert.throws(() => credentialsFor({ region: "eu-west-1", roleArn: "arn:aws:s3:::bucket", externalId: "x" }), PermanentError);
    assert.throws(() => credentialsFor({ region: "eu-west-1" }), PermanentError);
  });
});
