import assert from "node:assert/strict";
import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetEnvironmentTemplateCommand,
  ProtonClient,
} from "@aws-sdk/client-proton";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { FakeProton } from "../../fakes/aws/proton";
import { FakeS3 } from "../../fakes/s3";
import { classifyProtonError } from "../../../src/integrations/proton/targets/proton-errors";

describe("Proton fake: the real client against the API's rules", () => {
  let s3: FakeS3;
  let proton: FakeProton;
  let client: ProtonClient;
  const source = { s3: { bucket: "bundles", key: "env/v1.tar.gz" } };
  before(async () => {
    s3 = await FakeS3.start(["bundles"]);
    await s3.client().send(new PutObjectCommand({ Bucket: "bundles", Key: "env/v1.tar.gz", Body: "bundle" }));
    proton = await FakeProton.start(s3.client());
    client = new ProtonClient({ region: "eu-west-1", endpoint: proton.url, credentials: { accessKeyId: "AKIA", secretAccessKey: "s" }, maxAttempts: 1 });
  });
  after(async () => {
    await proton.close();
    await s3.close();
  });

  it("needs the template, numbers majors itself and needs an existing major for a minor", async () => {
    await assert.rejects(client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: "env", source })), { name: "ResourceNotFoundException" });
    await client.send(new CreateEnvironmentTemplateCommand({ name: "env" }));
    await assert.rejects(client.send(new CreateEnvironmentTemplateCommand({ name: "env" })), { name: "ConflictException" });
    const v1 = await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: "env", source }));
    assert.equal(v1.environmentTemplateVersion?.majorVersion, "1");
    assert.equal(v1.environmentTemplateVersion?.status, "REGISTRATION_IN_PROGRESS");
    assert.match(v1.environmentTemplateVersion?.arn ?? "", /^arn:aws:proton:eu-west-1:\d{12}:environment-template\/env:1\.0$/);
    const minor = await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: "env", source, majorVersion: "1" }));
    assert.equal(minor.environmentTemplateVersion?.minorVersion, "1");
    await assert.rejects(client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: "env", source, majorVersion: "9" })), {
      name: "ResourceNotFoundException",
    });
  });

  it("needs the S3 bundle to exist", async () => {
    await assert.rejects(
      client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: "env", source: { s3: { bucket: "bundles", key: "missing.tar.gz" } } })),
      { name: "ValidationException" },
    );
  });

  it("needs 1–10 existing compatible environment majors for a service version", async () => {
    await client.send(new CreateServiceTemplateCommand({ name: "svc" }));
    await assert.rejects(client.send(new CreateServiceTemplateVersionCommand({ templateName: "svc", source, compatibleEnvironmentTemplates: [] })), {
      name: "ValidationException",
    });
    await assert.rejects(
      client.send(new CreateServiceTemplateVersionCommand({ templateName: "svc", source, compatibleEnvironmentTemplates: [{ templateName: "env", majorVersion: "7" }] })),
      /does not exist/,
    );
    const ok = await client.send(
      new CreateServiceTemplateVersionCommand({ templateName: "svc", source, compatibleEnvironmentTemplates: [{ templateName: "env", majorVersion: "1" }] }),
    );
    assert.equal(ok.serviceTemplateVersion?.majorVersion, "1");
  });

  it("answers a repeated clientToken with the first result", async () => {
    const input = { templateName: "env", source, majorVersion: "1", clientToken: "same-token" };
    const a = await client.send(new CreateEnvironmentTemplateVersionCommand(input));
    const b = await client.send(new CreateEnvironmentTemplateVersionCommand(input));
    assert.equal(a.environmentTemplateVersion?.arn, b.environmentTemplateVersion?.arn);
    assert.equal(proton.template("environment", "env")!.versions.length, 3);
  });

  it("answers as an ended service after endOfSupport(), which the sync classifies as unavailable", async () => {
    await proton.endOfSupport("access-denied");
    const err = await client.send(new GetEnvironmentTemplateCommand({ name: "env" })).catch((e: unknown) => e);
    assert.equal((err as Error).name, "AccessDeniedException");
    assert.equal(classifyProtonError(err).kind, "unavailable");
    await proton.endOfSupport("endpoint-removed");
    const gone = await client.send(new GetEnvironmentTemplateCommand({ name: "env" })).catch((e: unknown) => e);
    assert.equal(classifyProtonError(gone).kind, "unavailable", String(gone));
  });
});
