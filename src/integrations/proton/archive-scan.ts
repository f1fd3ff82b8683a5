import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { extract } from "tar-stream";
import { placeEntry, type Rejection } from "./entry-rules";
import { ArchiveTooLargeError, expansionMeter, type ArchiveLimits } from "./archive-limits";

/** The files of one `<template>/v<N>/` folder, read into memory (template folders are small and capped). */
export interface VersionFolder {
  template: string;
  major: number;
  files: Map<string, Buffer>;
}

export interface ScanResult {
  folders: VersionFolder[];
  rejected: Rejection[];
  entries: number;
}

export interface ScanLimits {
  templatesPath: string;
  maxEntryBytes: number;
  /** All template folders together. */
  maxTemplateBytes: number;
  /** Rejections kept for the report. */
  maxReported?: number;
  /** Entries, template folders and files, size, ratio (time is the pipeline's): the first to trip fails the scan. */
  archive: ArchiveLimits;
}

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for await (const _ of entry);
}

/**
 * Reads a gzipped tar as a stream and keeps only the files of template version folders. Every other
 * entry is drained without being kept (only counted), so memory stays bounded by the template
 * folders' size. Throws ArchiveTooLargeError as soon as a limit of `limits.archive` trips.
 */
export async function scanArchive(gzipped: Readable, limits: ScanLimits): Promise<ScanResult> {
  const folders = new Map<string, VersionFolder>();
  const rejected: Rejection[] = [];
  const maxReported = limits.maxReported ?? 100;
  const reject = (path: string, reason: string) => {
    if (rejected.length < maxReported) rejected.push({ path: path.slice(0, 300), reason });
  };
  const max = limits.archive;
  let kept = 0;
  let entries = 0;
  let compressed = 0;
  const gunzip = createGunzip();
  const meter = expansionMeter(max, () => compressed);
  const tar = extract();
  gzipped.on("data", (c: Buffer) => {
    compressed += c.length;
  });
  gzipped.on("error", (err) => gunzip.destroy(err));
  gunzip.on("error", (err) => meter.destroy(err));
  meter.on("error", (err) => tar.destroy(err));
  gzipped.pipe(gunzip).pipe(meter).pipe(tar);
  const stop = (err: Error) => {
    gunzip.destroy();
    meter.destroy();
    return err;
  };
  for await (const entry of tar) {
    if (++entries > max.maxEntries) {
      throw stop(new ArchiveTooLargeError("maxEntries", `more than ${max.maxEntries} entries (ARCHIVE_MAX_ENTRIES)`));
    }
    const place = placeEntry(entry.header, limits.templatesPath, limits.maxEntryBytes);
    if (place.kind !== "template-file") {
      if (place.kind === "reject") reject(entry.header.name, place.reason);
      await drain(entry);
      continue;
    }
    const size = entry.header.size ?? 0;
    if (kept + size > limits.maxTemplateBytes) {
      reject(entry.header.name, "template folders exceed the size limit");
      await drain(entry);
      continue;
    }
    const key = `${place.template}/v${place.major}`;
    let folder = folders.get(key);
    if (!folder) {
      if (folders.size >= max.maxTemplateFolders) {
        throw stop(new ArchiveTooLargeError("maxTemplateFolders", `more than ${max.maxTemplateFolders} template folders (ARCHIVE_MAX_TEMPLATE_FOLDERS)`));
      }
      folder = { template: place.template, major: place.major, files: new Map() };
      folders.set(key, folder);
    }
    if (!folder.files.has(place.file) && folder.files.size >= max.maxTemplateFiles) {
      throw stop(new ArchiveTooLargeError("maxTemplateFiles", `template folder ${key}/ has more than ${max.maxTemplateFiles} files (ARCHIVE_MAX_TEMPLATE_FILES)`));
    }
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    kept += body.length;
    folder.files.set(place.file, body);
  }
  const ordered = [...folders.values()].sort((a, b) => (a.template === b.template ? a.major - b.major : a.template < b.template ? -1 : 1));
  return { folders: ordered, rejected, entries };
}
