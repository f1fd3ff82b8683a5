/**
 * Fits an event's Detail into EventBridge's entry size limit. The largest parts of the payload are
 * cut first (long strings shortened, big objects and arrays replaced by a marker), and the result says
 * so in a `relay` field: `{ trimmed: true, originalBytes, removed: ["push.changes.0.commits", ...] }`.
 */
export interface TrimResult {
  detail: Record<string, unknown>;
  json: string;
  trimmed: boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const bytes = (s: string) => Buffer.byteLength(s, "utf8");
const MARKER = (n: number) => `[trimmed ${n} bytes]`;

/** The size of a value as JSON (cached per call through the map for big trees). */
function sizeOf(v: Json): number {
  return bytes(JSON.stringify(v));
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
function cutString(s: string, maxBytes: number): string {
  const buf = Buffer.from(s, "utf8");
  if (buf.length <= maxBytes) return s;
  let end = Math.max(0, maxBytes);
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString("utf8");
}

type Container = Json[] | { [k: string]: Json };
interface Cut {
  parent: Container;
  key: string;
  path: string[];
  size: number;
}

/**
 * Picks what to cut: descends into the largest child while that child alone is bigger than the excess
 * (so cutting inside it is enough); when no single child is, the node holding them goes as a whole.
 */
function pickCut(root: { [k: string]: Json }, excess: number): Cut | null {
  let node: Json = root;
  let here: Cut | null = null;
  for (;;) {
    if (node === null || typeof node !== "object") return here;
    const entries: Array<[string, Json]> = Array.isArray(node) ? node.map((v, i) => [String(i), v]) : Object.entries(node);
    let top: { key: string; value: Json; size: number } | null = null;
    for (const [k, v] of entries) {
      if (node === root && k === "relay") continue;
      const size = sizeOf(v);
      if (!top || size > top.size) top = { key: k, value: v, size };
    }
    if (!top) return here;
    const child: Cut = { parent: node, key: top.key, path: [...(here?.path ?? []), top.key], size: top.size };
    if (top.size <= excess && here) return here; // no single child suffices: cut this node whole
    if (top.size <= excess || typeof top.value !== "object" || top.value === null) return child;
    here = child;
    node = top.value;
  }
}

export function trimDetail(detail: Record<string, unknown>, maxBytes: number): TrimResult {
  const original = JSON.stringify(detail);
  const originalBytes = bytes(original);
  if (originalBytes <= maxBytes) return { detail, json: original, trimmed: false };
  const copy = JSON.parse(original) as { [k: string]: Json };
  const removed: string[] = [];
  const note = () => ({ trimmed: true, originalBytes, removed });
  for (let i = 0; i < 500; i++) {
    copy.relay = note() as unknown as Json;
    const size = sizeOf(copy);
    if (size <= maxBytes) return { detail: copy, json: JSON.stringify(copy), trimmed: true };
    const excess = size - maxBytes;
    const target = pickCut(copy, excess);
    if (!target) break;
    const value = (target.parent as Record<string, Json>)[target.key]!;
    let replacement: Json;
    if (typeof value === "string" && bytes(value) > excess + 128) {
      // Shorten the string rather than lose it (a long description keeps its start).
      replacement = `${cutString(value, bytes(value) - excess - 64 - 32)}…${MARKER(excess + 64)}`;
    } else {
      replacement = MARKER(target.size);
    }
    (target.parent as Record<string, Json>)[target.key] = replacement;
    removed.push(target.path.join("."));
  }
  // Nothing big enough to cut (many small fields): keep only the essentials.
  const minimal: Record<string, unknown> = { relay: { trimmed: true, originalBytes, removed: ["*"] } };
  const repo = detail.repository as { full_name?: unknown; uuid?: unknown } | undefined;
  if (repo) minimal.repository = { full_name: repo.full_name, uuid: repo.uuid };
  return { detail: minimal, json: JSON.stringify(minimal), trimmed: true };
}
