import { trimDetail } from "./trim";

/**
 * EventBridge's limit for one PutEvents request (the sum of its entries). AWS raised it from 256 KB to
 * 1 MB on 2026-01-29, but not every partition/region copy of the docs agrees: the app stays under the
 * older, safe figure.
 */
export const MAX_REQUEST_BYTES = 256 * 1024;
export const MAX_ENTRIES_PER_CALL = 10;

/** One entry ready for PutEvents (JSON-serialisable, so a retry job can carry it). */
export interface PreparedEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
  /** Epoch seconds. */
  Time: number;
  Resources: string[];
  trimmed: boolean;
}

/** The size AWS counts for an entry: 14 bytes for Time, UTF-8 bytes of Source, DetailType, Detail, Resources. */
export function entrySize(e: Pick<PreparedEntry, "Source" | "DetailType" | "Detail" | "Resources">): number {
  const b = (s: string) => Buffer.byteLength(s, "utf8");
  return 14 + b(e.Source) + b(e.DetailType) + b(e.Detail) + e.Resources.reduce((n, r) => n + b(r), 0);
}

export function prepareEntry(
  input: { detailType: string; detail: Record<string, unknown>; resources?: string[]; time?: Date },
  source: string,
  bus: string,
  maxBytes = MAX_REQUEST_BYTES,
): PreparedEntry {
  const resources = input.resources ?? [];
  const base = { Source: source, DetailType: input.detailType.slice(0, 128), Detail: "", Resources: resources };
  const budget = maxBytes - entrySize(base) - 16;
  const { json, trimmed } = trimDetail(input.detail, budget);
  return {
    ...base,
    Detail: json,
    EventBusName: bus,
    Time: Math.floor((input.time ?? new Date()).getTime() / 1000),
    trimmed,
  };
}

/** Splits entries into PutEvents calls: at most 10 entries and MAX_REQUEST_BYTES each. */
export function batches(entries: PreparedEntry[], maxBytes = MAX_REQUEST_BYTES): PreparedEntry[][] {
  const out: PreparedEntry[][] = [];
  let current: PreparedEntry[] = [];
  let size = 0;
  for (const e of entries) {
    const s = entrySize(e);
    if (current.length && (current.length >= MAX_ENTRIES_PER_CALL || size + s > maxBytes)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += s;
  }
  if (current.length) out.push(current);
  return out;
}
