import { trimDetail } from "./trim";

/**
 * EventBridge's limit for one PutEvents request, the sum of its entries' sizes (a single entry
 * included). AWS raised it from 256 KB to 1 MB on 2026-01-29, but not every partition/region copy
 * of the docs agrees: the app stays under the older, safe figure.
 */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** PutEvents `Entries`: 1–10 items. */
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
  /** What trimming shortened (the paths of `relay.trimmed`). */
  trimmedPaths?: string[];
}

/**
 * The size AWS counts for an entry, in bytes: 14 for Time, the UTF-8 bytes of Source, DetailType,
 * Detail and each Resources item (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
 */
export function entrySize(e: Pick<PreparedEntry, "Source" | "DetailType" | "Detail" | "Resources">): number {
  const b = (s: string) => Buffer.byteLength(s, "utf8");
  return 14 + b(e.Source) + b(e.DetailType) + b(e.Detail) + e.Resources.reduce((n, r) => n + b(r), 0);
}

/**
 * An entry whose size is at most `maxBytes`: the Detail is trimmed (see trim.ts) when it would not
 * fit. Throws TrimError (a PermanentError) when it cannot be trimmed without cutting identity fields.
 */
export function prepareEntry(
  input: { detailType: string; detail: Record<string, unknown>; resources?: string[]; time?: Date },
  source: string,
  bus: string,
  maxBytes = MAX_REQUEST_BYTES,
): PreparedEntry {
  const resources = input.resources ?? [];
  const base = { Source: source, DetailType: input.detailType.slice(0, 128), Detail: "", Resources: resources };
  const { json, trimmed, records } = trimDetail(input.detail, maxBytes - entrySize(base));
  return {
    ...base,
    Detail: json,
    EventBusName: bus,
    Time: Math.floor((input.time ?? new Date()).getTime() / 1000),
    trimmed,
    ...(trimmed ? { trimmedPaths: records.map((r) => r.path) } : {}),
  };
}
