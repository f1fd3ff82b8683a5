import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { extract } from "tar-stream";
import { placeEntry, type Rejection } from "./entry-rules";

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
}

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for await (const _ of entry);
}

/**
 * Reads a gzipped tar as a stream and keeps only the files of template version folders. Every other
 * entry is drained without being kept, so memory stays bounded by the template folders' size.
 */
export async function scanArchive(gzipped: Readable, limits: ScanLimits): Promise<ScanResult> {
  const folders = new Map<string, VersionFolder>();
  const rejected: Rejection[] = [];
  const maxReported = limits.maxReported ?? 100;
  const reject = (path: string, reason: string) => {
    if (rejected.length < maxReported) rejected.push({ path: path.slice(0, 300), reason });
  };
  let kept = 0;
  let entries = 0;
  const gunzip = createGunzip();
  const tar = extract();
  gzipped.on("error", (err) => gunzip.destroy(err));
  gunzip.on("error", (err) => tar.destroy(err));
  gzipped.pipe(gunzip).pipe(tar);
  for await (const entry of tar) {
    entries++;
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
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    kept += body.length;
    const key = `${place.template}/v${place.major}`;
    let folder = folders.get(key);
    if (!folder) {
      folder = { template: place.template, major: place.major, files: new Map() };
      folders.set(key, folder);
    }
    folder.files.set(place.file, body);
  }
  const ordered = [...folders.values()].sort((a, b) => (a.template === b.template ? a.major - b.major : a.template < b.template ? -1 : 1));
  return { folders: ordered, rejected, entries };
}
