import { Transform, type TransformCallback } from "node:stream";
import { PermanentError } from "../../http/errors";
import type { Config } from "../../config/config";

/**
 * What one commit archive may cost the shared server. Every limit is checked while the archive
 * streams; the first one to trip stops the download, the scan and the S3 upload at once.
 */
export interface ArchiveLimits {
  /** Tar entries in the whole archive (files, folders, links, headers). */
  maxEntries: number;
  /** `<template>/v<N>/` folders kept for bundles. */
  maxTemplateFolders: number;
  /** Files in one `<template>/v<N>/` folder. */
  maxTemplateFiles: number;
  /** Bytes, both downloaded (gzip) and expanded (tar). */
  maxBytes: number;
  /** Expanded bytes per downloaded byte (a gzip bomb expands ~1000:1; source code ~5–20:1). */
  maxRatio: number;
  /** The ratio is only judged once this many bytes were expanded (tiny archives are mostly tar padding). */
  ratioGraceBytes: number;
  /** Wall time for download, scan and upload together, in seconds. */
  maxSeconds: number;
}

/** Below this, a high ratio is harmless: a one-file archive is a 10 KiB tar record in ~150 gzip bytes. */
export const RATIO_GRACE_BYTES = 8 * 1024 * 1024;

export function archiveLimitsFrom(config: Pick<Config, "archive">): ArchiveLimits {
  return { ...config.archive, ratioGraceBytes: RATIO_GRACE_BYTES };
}

const MIB = 1024 * 1024;
export const mib = (bytes: number) => (bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`);

/** A limit of ArchiveLimits tripped: the sync ends `too_large` with this message; no retry can help. */
export class ArchiveTooLargeError extends PermanentError {
  constructor(
    readonly limit: keyof ArchiveLimits,
    detail: string,
  ) {
    super(`archive too large: ${detail}`);
    this.name = "ArchiveTooLargeError";
  }
}

/**
 * Passes the expanded tar bytes through, failing once they exceed `maxBytes` or, past the grace,
 * `maxRatio` × the compressed bytes read so far (`compressed()`).
 */
export function expansionMeter(limits: ArchiveLimits, compressed: () => number): Transform {
  let expanded = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      expanded += chunk.length;
      if (expanded > limits.maxBytes) {
        return cb(new ArchiveTooLargeError("maxBytes", `expands to more than ${mib(limits.maxBytes)} (ARCHIVE_MAX_MIB)`));
      }
      const read = compressed();
      if (expanded > limits.ratioGraceBytes && expanded > limits.maxRatio * read) {
        return cb(
          new ArchiveTooLargeError("maxRatio", `expands more than ${limits.maxRatio}:1 (${expanded} bytes from ${read}; ARCHIVE_MAX_RATIO)`),
        );
      }
      cb(null, chunk);
    },
  });
}
