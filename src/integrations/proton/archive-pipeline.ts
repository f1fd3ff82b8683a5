import { PermanentError } from "../../http/errors";
import { createHash } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import { scanArchive, type ScanLimits, type ScanResult } from "./archive-scan";

export interface ArchiveResult {
  sizeBytes: number;
  sha256: string;
  scan: ScanResult;
}

/**
 * One pass over the downloaded archive: the bytes go to the upload and to the tar scanner at once
 * (back-pressure from either slows the download), and are counted and hashed on the way. Nothing is
 * written to disk; memory is the upload's parts plus the template folders the scanner keeps.
 * Any branch failing destroys the others.
 */
export async function archiveAndScan(
  source: Readable,
  upload: (body: Readable) => Promise<void>,
  limits: ScanLimits,
): Promise<ArchiveResult> {
  const toUpload = new PassThrough({ highWaterMark: 1024 * 1024 });
  const toScan = new PassThrough({ highWaterMark: 1024 * 1024 });
  const hash = createHash("sha256");
  let sizeBytes = 0;
  source.on("data", (c: Buffer) => {
    sizeBytes += c.length;
    hash.update(c);
  });
  source.pipe(toUpload);
  source.pipe(toScan);
  const fail = (err: Error) => {
    source.destroy(err);
    toUpload.destroy(err);
    toScan.destroy(err);
  };
  source.on("error", fail);
  // The branches' errors surface through the upload and scan promises.
  toUpload.on("error", () => undefined);
  toScan.on("error", () => undefined);
  const uploading = upload(toUpload).catch((err: Error) => {
    fail(err);
    throw err;
  });
  const scanning = scanArchive(toScan, limits)
    .then((scan) => {
      // The tar may end before the gzip trailer: keep draining so the upload branch is not held back.
      toScan.unpipe();
      toScan.resume();
      return scan;
    })
    .catch((err: Error & { code?: string }) => {
      // A body that is not a tar.gz will not become one on retry.
      const corrupt = typeof err.code === "string" && err.code.startsWith("Z_") || /tar|header/i.test(err.message);
      const final = corrupt ? new PermanentError(`archive is not a valid tar.gz: ${err.message}`) : err;
      fail(final);
      throw final;
    });
  const [, scan] = await Promise.all([uploading, scanning]);
  return { sizeBytes, sha256: hash.digest("hex"), scan };
}
