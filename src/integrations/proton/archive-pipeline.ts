import { PermanentError } from "../../http/errors";
import { createHash } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import { scanArchive, type ScanLimits, type ScanResult } from "./archive-scan";
import { ArchiveTooLargeError, mib } from "./archive-limits";

export interface ArchiveResult {
  sizeBytes: number;
  sha256: string;
  scan: ScanResult;
}

/**
 * One pass over the downloaded archive: the bytes go to the upload and to the tar scanner at once
 * (back-pressure from either slows the download), and are counted and hashed on the way. Nothing is
 * written to disk; memory is the upload's parts plus the template folders the scanner keeps.
 *
 * The upload's body only ends once the scan has accepted the whole archive, so an archive that
 * trips a limit (ArchiveTooLargeError: size downloaded or expanded, ratio, entries, template
 * folders and files, `maxSeconds` of wall time) never becomes an S3 object: the body fails, the
 * multipart upload is aborted (no parts left), and the download is closed at once. Any branch
 * failing destroys the others; this returns or throws only when both have settled.
 */
export async function archiveAndScan(
  source: Readable,
  upload: (body: Readable) => Promise<void>,
  limits: ScanLimits,
): Promise<ArchiveResult> {
  const toUpload = new PassThrough({ highWaterMark: 1024 * 1024 });
  const toScan = new PassThrough({ highWaterMark: 1024 * 1024 });
  const hash = createHash("sha256");
  const max = limits.archive;
  let sizeBytes = 0;
  let failed: Error | null = null;
  const fail = (err: Error) => {
    failed ??= err;
    source.destroy(failed);
    toUpload.destroy(failed);
    toScan.destroy(failed);
  };
  source.on("data", (c: Buffer) => {
    sizeBytes += c.length;
    hash.update(c);
    if (sizeBytes > max.maxBytes) fail(new ArchiveTooLargeError("maxBytes", `more than ${mib(max.maxBytes)} to download (ARCHIVE_MAX_MIB)`));
  });
  const ended = new Promise<void>((resolve) => source.once("end", resolve));
  source.pipe(toUpload, { end: false });
  source.pipe(toScan);
  source.on("error", fail);
  // The branches' errors surface through the upload and scan promises.
  toUpload.on("error", () => undefined);
  toScan.on("error", () => undefined);
  const timer = setTimeout(
    () => fail(new ArchiveTooLargeError("maxSeconds", `not read within ${max.maxSeconds} s (ARCHIVE_MAX_SECONDS)`)),
    max.maxSeconds * 1000,
  );
  timer.unref();
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
      const corrupt =
        !(err instanceof PermanentError) && ((typeof err.code === "string" && err.code.startsWith("Z_")) || /\btar\b|header/i.test(err.message));
      const final = failed ?? (corrupt ? new PermanentError(`archive is not a valid tar.gz: ${err.message}`) : err);
      fail(final);
      throw final;
    });
  // Only an archive the scan accepted, downloaded to its end, may complete the upload.
  Promise.all([ended, scanning]).then(
    () => (failed ? undefined : toUpload.end()),
    () => undefined,
  );
  try {
    const [up, scan] = await Promise.allSettled([uploading, scanning]);
    // A limit or a bad archive explains an upload that failed because of it.
    if (failed) throw failed;
    if (scan.status === "rejected") throw scan.reason;
    if (up.status === "rejected") throw up.reason;
    return { sizeBytes, sha256: hash.digest("hex"), scan: scan.value };
  } finally {
    clearTimeout(timer);
  }
}
