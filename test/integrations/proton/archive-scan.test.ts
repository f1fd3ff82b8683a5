import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { randomBytes } from "node:crypto";
import { scanArchive } from "../../../src/integrations/proton/archive-scan";
import { readTemplateFolder } from "../../../src/integrations/proton/template-folder";
import { contentHash, packBundle } from "../../../src/integrations/proton/bundle";
import { archiveAndScan } from "../../../src/integrations/proton/archive-pipeline";
import { archiveLimitsFrom } from "../../../src/integrations/proton/archive-limits";
import { testConfig } from "../../helpers/config";
import { bitbucketArchive, environmentTemplate, serviceTemplate } from "./archives";

const limits = { templatesPath: "", maxEntryBytes: 1024 * 1024, maxTemplateBytes: 4 * 1024 * 1024, archive: archiveLimitsFrom(testConfig()) };

describe("Proton sync: reading the archive", () => {
  it("finds <template>/v<N>/ folders under Bitbucket's top folder and keeps nothing else", async () => {
    const gz = await bitbucketArchive("a".repeat(40), {
      "README.md": "x",
      "src/app.ts": "y",
      ...environmentTemplate("vpc-env/v1"),
      ...environmentTemplate("vpc-env/v2", "two"),
      "vpc-env/notes.md": "not a version folder",
      "vpc-env/version2/schema/schema.yaml": "not vN",
    });
    const scan = await scanArchive(Readable.from([gz]), limits);
    assert.deepEqual(scan.folders.map((f) => `${f.template}/v${f.major}`), ["vpc-env/v1", "vpc-env/v2"]);
    assert.deepEqual([...scan.folders[0]!.files.keys()].sort(), ["infrastructure/cloudformation.yaml", "infrastructure/manifest.yaml", "schema/schema.yaml"]);
    assert.deepEqual(scan.rejected, []);
  });

  it("honours templatesPath", async () => {
    const gz = await bitbucketArchive("b".repeat(40), { ...environmentTemplate("templates/env-a/v1"), ...environmentTemplate("env-b/v1") });
    const scan = await scanArchive(Readable.from([gz]), { ...limits, templatesPath: "templates" });
    assert.deepEqual(scan.folders.map((f) => f.template), ["env-a"]);
  });

  it("rejects an oversized file inside a template folder without reading it", async () => {
    const gz = await bitbucketArchive("c".repeat(40), { ...environmentTemplate("env/v1"), "env/v1/infrastructure/huge.bin": randomBytes(2 * 1024 * 1024) });
    const scan = await scanArchive(Readable.from([gz]), limits);
    assert.match(scan.rejected.find((r) => r.path.endsWith("huge.bin"))?.reason ?? "", /larger than 1 MiB/);
    assert.ok(!scan.folders[0]!.files.has("infrastructure/huge.bin"));
  });

  it("fails on a body that is not a gzipped tar", async () => {
    await assert.rejects(scanArchive(Readable.from([Buffer.from("<html>login</html>")]), limits));
  });

  it("tells environment and service folders apart and checks what a bundle needs", async () => {
    const gz = await bitbucketArchive("d".repeat(40), {
      ...environmentTemplate("env/v1"),
      ...serviceTemplate("svc/v1", ["env:1"]),
      "svc-bad/v1/schema/schema.yaml": "s",
      "svc-bad/v1/instance_infrastructure/manifest.yaml": "m",
      "svc-bad/v1/.template-registration.yaml": "compatible_environments: []\n",
      "noschema/v1/infrastructure/manifest.yaml": "m",
    });
    const scan = await scanArchive(Readable.from([gz]), limits);
    const read = Object.fromEntries(scan.folders.map((f) => [f.template, readTemplateFolder(f)]));
    assert.equal(read.env!.ok && read.env!.bundle.kind, "environment");
    assert.ok(read.svc!.ok);
    if (read.svc!.ok) {
      assert.equal(read.svc!.bundle.kind, "service");
      assert.deepEqual(read.svc!.bundle.compatibleEnvironments, [{ templateName: "env", majorVersion: "1" }]);
      assert.equal(read.svc!.bundle.customerManagedPipeline, true);
    }
    assert.equal(read["svc-bad"]!.ok, false);
    assert.match(read["svc-bad"]!.ok ? "" : read["svc-bad"]!.reason, /1 to 10/);
    assert.equal(read.noschema!.ok, false);
  });

  it("hashes bundle content independently of order and timestamps, and packs deterministically", async () => {
    const a = new Map([["b.yaml", Buffer.from("2")], ["a.yaml", Buffer.from("1")]]);
    const b = new Map([["a.yaml", Buffer.from("1")], ["b.yaml", Buffer.from("2")]]);
    assert.equal(contentHash(a), contentHash(b));
    assert.notEqual(contentHash(a), contentHash(new Map([["a.yaml", Buffer.from("1")], ["b.yaml", Buffer.from("3")]])));
    assert.deepEqual(await packBundle(a), await packBundle(b));
  });

  it("streams one pass to the upload and the scanner, counting and hashing the bytes", async () => {
    const gz = await bitbucketArchive("e".repeat(40), { "big.bin": randomBytes(3 * 1024 * 1024), ...environmentTemplate("env/v1") });
    let uploaded = 0;
    const result = await archiveAndScan(
      Readable.from([gz.subarray(0, 1000), gz.subarray(1000)]),
      async (body) => {
        for await (const c of body) uploaded += (c as Buffer).length;
      },
      limits,
    );
    assert.equal(uploaded, gz.length);
    assert.equal(result.sizeBytes, gz.length);
    assert.equal(result.sha256, (await import("node:crypto")).createHash("sha256").update(gz).digest("hex"));
    assert.equal(result.scan.folders.length, 1);
  });

  it("stops both branches when the upload fails", async () => {
    const gz = await bitbucketArchive("f".repeat(40), { "big.bin": randomBytes(3 * 1024 * 1024) });
    await assert.rejects(
      archiveAndScan(Readable.from([gz]), async () => {
        throw new Error("S3 said no");
      }, limits),
      /S3 said no/,
    );
  });
});
