import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { PassThrough, Readable } from "node:stream";
import { scanArchive, type ScanLimits } from "../../../src/integrations/proton/archive-scan";
import { archiveAndScan } from "../../../src/integrations/proton/archive-pipeline";
import { ArchiveTooLargeError, archiveLimitsFrom, type ArchiveLimits } from "../../../src/integrations/proton/archive-limits";
import { testConfig } from "../../helpers/config";
import { bitbucketArchive, environmentTemplate, gzipBombMembers } from "./archives";

const defaults = archiveLimitsFrom(testConfig());
const scanLimits = (archive: Partial<ArchiveLimits>): ScanLimits => ({
  templatesPath: "",
  maxEntryBytes: 1024 * 1024,
  maxTemplateBytes: 64 * 1024 * 1024,
  archive: { ...defaults, ...archive },
});
const scan = (gz: Buffer, archive: Partial<ArchiveLimits>) => scanArchive(Readable.from([gz]), scanLimits(archive));
const tooLarge = (limit: keyof ArchiveLimits, text: RegExp) => (err: unknown) => {
  assert.ok(err instanceof ArchiveTooLargeError, String(err));
  assert.equal(err.limit, limit);
  assert.match(err.message, /^archive too large: /);
  assert.match(err.message, text);
  return true;
};

/** `n` one-byte files in one folder (plus Bitbucket's top folder entry: n + 1 entries). */
function files(dir: string, n: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < n; i++) out[`${dir}/f${i}.txt`] = "x";
  return out;
}

describe("Proton sync: archive limits", function () {
  this.timeout(300_000); // a generous bound on a loaded machine (issue 14)

  it("has documented defaults", () => {
    assert.deepEqual(
      { ...defaults },
      { maxEntries: 100_000, maxTemplateFolders: 100, maxTemplateFiles: 500, maxBytes: 1024 ** 3, maxRatio: 100, ratioGraceBytes: 8 * 1024 ** 2, maxSeconds: 300 },
    );
  });

  it("entries per archive: at the limit passes, one more stops the scan", async () => {
    const gz = await bitbucketArchive("a".repeat(40), files("src", 49)); // 50 entries
    assert.equal((await scan(gz, { maxEntries: 50 })).entries, 50);
    await assert.rejects(scan(gz, { maxEntries: 49 }), tooLarge("maxEntries", /more than 49 entries/));
  });

  it("files per template folder: at the limit passes, one more stops the scan", async () => {
    const folder = { ...environmentTemplate("env/v1"), ...files("env/v1/extra", 7) }; // 3 + 7 files
    const gz = await bitbucketArchive("b".repeat(40), folder);
    const ok = await scan(gz, { maxTemplateFiles: 10 });
    assert.equal(ok.folders[0]!.files.size, 10);
    await assert.rejects(scan(gz, { maxTemplateFiles: 9 }), tooLarge("maxTemplateFiles", /template folder env\/v1\/ has more than 9 files/));
  });

  it("template folders per archive: at the limit passes, one more stops the scan", async () => {
    const gz = await bitbucketArchive("c".repeat(40), { ...environmentTemplate("a/v1"), ...environmentTemplate("a/v2"), ...environmentTemplate("b/v1") });
    assert.equal((await scan(gz, { maxTemplateFolders: 3 })).folders.length, 3);
    await assert.rejects(scan(gz, { maxTemplateFolders: 2 }), tooLarge("maxTemplateFolders", /more than 2 template folders/));
  });

  it("expanded size: at the limit passes, one byte less stops the scan", async () => {
    const gz = await bitbucketArchive("d".repeat(40), { "blob.bin": randomBytes(300_000), ...environmentTemplate("env/v1") });
    const tarBytes = gunzipSync(gz).length;
    assert.equal((await scan(gz, { maxBytes: tarBytes })).folders.length, 1);
    await assert.rejects(scan(gz, { maxBytes: tarBytes - 1 }), tooLarge("maxBytes", /expands to more than/));
  });

  it("expansion ratio: at the limit passes, just below it stops the scan (past the grace)", async () => {
    const gz = await bitbucketArchive("e".repeat(40), { "zeros.bin": Buffer.alloc(2 * 1024 * 1024), ...environmentTemplate("env/v1") });
    const ratio = gunzipSync(gz).length / gz.length;
    assert.ok(ratio > 100, `zeros compress well (${ratio})`);
    assert.equal((await scan(gz, { maxRatio: ratio, ratioGraceBytes: 0 })).folders.length, 1);
    await assert.rejects(scan(gz, { maxRatio: ratio * 0.999, ratioGraceBytes: 0 }), tooLarge("maxRatio", /expands more than/));
    // Within the grace, the same archive passes any ratio.
    assert.equal((await scan(gz, { maxRatio: 2, ratioGraceBytes: 4 * 1024 * 1024 })).folders.length, 1);
  });

  it("stops a 1 MiB gzip that expands to 1 GiB once it passes 100:1, a tenth of the way in", async () => {
    const members = gzipBombMembers(1024);
    const total = members.reduce((n, m) => n + m.length, 0);
    assert.ok(total < 1.2 * 1024 * 1024, `the bomb is about 1 MiB (${total})`);
    const source = Readable.from(members);
    let expanded = Infinity;
    await assert.rejects(
      archiveAndScan(source, async (body) => {
        for await (const _ of body);
      }, scanLimits({})),
      (err: Error) => {
        tooLarge("maxRatio", /expands more than 100:1/)(err);
        expanded = Number(/\((\d+) bytes from/.exec(err.message)?.[1]);
        return true;
      },
    );
    // At most 100 × the whole (buffered) download: 100 MiB of the 1 GiB, whatever the buffering.
    assert.ok(expanded <= 100 * total + 64 * 1024, `stopped after ${expanded} expanded bytes`);
    assert.ok(source.destroyed, "the download was closed");
  });

  it("the same bomb, read to its end, passes when the limits allow it (the members form one valid archive)", async () => {
    const out = await scan(Buffer.concat(gzipBombMembers(16)), { maxRatio: 10_000 });
    assert.equal(out.entries, 1);
  });

  it("downloaded size: at the limit passes, one byte less stops the download", async () => {
    const gz = await bitbucketArchive("0".repeat(40), { "blob.bin": randomBytes(200_000), ...environmentTemplate("env/v1") });
    const sink = async (body: Readable) => {
      for await (const _ of body);
    };
    assert.equal((await archiveAndScan(Readable.from([gz]), sink, scanLimits({ maxBytes: gz.length + 1024 * 1024 }))).sizeBytes, gz.length);
    // The gzip is larger than the tar it holds when its content is random: the download is the bigger side.
    const tarBytes = gunzipSync(gz).length;
    if (gz.length > tarBytes) {
      await assert.rejects(archiveAndScan(Readable.from([gz]), sink, scanLimits({ maxBytes: gz.length - 1 })), tooLarge("maxBytes", /to download/));
    }
    const trailing = Buffer.concat([gz, randomBytes(64 * 1024)]);
    await assert.rejects(
      archiveAndScan(Readable.from([gz, trailing.subarray(gz.length)]), sink, scanLimits({ maxBytes: Math.max(tarBytes, gz.length) + 1024 })),
      tooLarge("maxBytes", /more than \d+ bytes to download/),
    );
  });

  it("time: a download that stalls is stopped after maxSeconds, and the upload body fails instead of ending", async () => {
    const gz = await bitbucketArchive("1".repeat(40), { "blob.bin": randomBytes(100_000) });
    const stalled = new PassThrough();
    stalled.write(gz.subarray(0, 50_000)); // …and nothing more, ever
    let ended = false;
    await assert.rejects(
      archiveAndScan(stalled, async (body) => {
        for await (const _ of body);
        ended = true;
      }, scanLimits({ maxSeconds: 0.2 })),
      tooLarge("maxSeconds", /not read within 0.2 s/),
    );
    assert.equal(ended, false);
    assert.ok(stalled.destroyed, "the download was closed");
  });

  it("holds back the end of the upload until the scan has accepted the archive", async () => {
    const gz = await bitbucketArchive("2".repeat(40), { "blob.bin": randomBytes(100_000), ...files("late", 20) });
    let ended = false;
    let uploaded = 0;
    await assert.rejects(
      archiveAndScan(Readable.from([gz]), async (body) => {
        for await (const c of body) uploaded += (c as Buffer).length;
        ended = true;
      }, scanLimits({ maxEntries: 21 })),
      tooLarge("maxEntries", /more than 21 entries/),
    );
    assert.equal(ended, false, "the upload body failed: no object can be completed from it");
    assert.ok(uploaded > 0, "the upload streamed meanwhile");
  });
});
