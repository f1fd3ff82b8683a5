import { PermanentError } from "../../http/errors";
import { cutToJsonBytes, jsonBytes, stringContentBytes, type Json } from "./json-size";

/**
 * Fits an event's Detail into EventBridge's entry size limit (UTF-8 bytes) without changing its shape,
 * so that customers' rules and schemas keep matching:
 *
 * - the largest pieces are shortened first, wherever they are: each round finds the level L such
 *   that cutting every piece above L down to L removes the excess, and cuts them (a description
 *   Bitbucket repeats in five places loses the same amount in each); rounds repeat until it fits;
 * - a piece is a string (keeps its start, ends with "…") or an array (keeps its first elements,
 *   drops from the end; a commit list keeps the dropped commits' hashes in the note while they fit);
 * - types never change: strings stay strings, arrays stay arrays, objects keep every key, numbers,
 *   booleans and null are untouched;
 * - identity is never cut: `repository` and `actor` whole, and every string under an IDENTITY_KEYS
 *   key (ids, hashes, titles, states, names such as branch names, keys); the elements of a push's
 *   `changes` (its branches) are shrunk, never dropped;
 * - `relay.trimmed` lists exactly what was cut: `{ path, type: "string", originalBytes, keptBytes }`
 *   or `{ path, type: "array", originalLength, keptLength, droppedHashes? }` (paths are JSON Pointers,
 *   RFC 6901, e.g. "/pullrequest/description"), and `relay.originalBytes` the Detail's size before.
 *
 * Throws TrimError (permanent) when even the identity fields alone do not fit.
 */
export interface TrimRecord {
  path: string;
  type: "string" | "array";
  originalBytes?: number;
  keptBytes?: number;
  originalLength?: number;
  keptLength?: number;
  droppedHashes?: string[];
}

export interface TrimResult {
  detail: Record<string, unknown>;
  json: string;
  trimmed: boolean;
  records: TrimRecord[];
}

export class TrimError extends PermanentError {}

/** Keys whose string values identify the event or an entity in it: never shortened. */
export const IDENTITY_KEYS: ReadonlySet<string> = new Set([
  "id", "uuid", "hash", "type", "state", "title", "name", "key", "refname", "full_name", "account_id", "nickname", "display_name", "slug",
]);
/** Top-level objects kept whole. */
export const WHOLE_ROOT_KEYS: ReadonlySet<string> = new Set(["repository", "actor"]);
/** Arrays (dotted paths without indices) whose elements are the event's subject: shrunk inside, never dropped. */
export const KEPT_ELEMENTS: ReadonlySet<string> = new Set(["push.changes"]);
/** The note lists at most this many records (then `moreTrimmed: n`), so that it cannot outgrow the limit. */
const MAX_RECORDS = 100;
const ELLIPSIS = "…";

type Seg = string | number;
type Container = Json[] | { [k: string]: Json };
interface Piece {
  kind: "string" | "array";
  parent: Container;
  key: Seg;
  segs: Seg[];
  ancestors: object[];
  /** Bytes this piece can give up. */
  weight: number;
}
interface Pending extends TrimRecord {
  segs: Seg[];
  hashes: string[];
}

/** RFC 6901 JSON Pointer: exact whatever the keys hold ("/pullrequest/description", "/push/changes/0/commits"). */
export const pointer = (segs: Seg[]) => segs.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
const shape = (segs: Seg[]) => segs.filter((s) => typeof s === "string").join(".");

/**
 * Collects the pieces that may shrink; returns the node's size and its largest shrinkable string.
 * `segs` and `ancestors` are stacks shared by the walk (copied only into pieces).
 */
function collect(node: Json, segs: Seg[], ancestors: object[], out: Piece[], parent?: Container, key?: Seg): { size: number; maxString: number } {
  if (segs.length === 1 && WHOLE_ROOT_KEYS.has(String(segs[0]))) return { size: jsonBytes(node), maxString: 0 };
  if (typeof node === "string") {
    const size = stringContentBytes(node) + 2;
    const protectedKey = typeof key === "string" && IDENTITY_KEYS.has(key);
    if (protectedKey || size === 2 || !parent) return { size, maxString: 0 };
    out.push({ kind: "string", parent, key: key!, segs: segs.slice(), ancestors: ancestors.slice(), weight: size - 2 });
    return { size, maxString: size - 2 };
  }
  if (node === null || typeof node !== "object") return { size: jsonBytes(node), maxString: 0 };
  ancestors.push(node);
  let size = 2;
  let maxString = 0;
  let i = 0;
  const visit = (k: Seg, v: Json) => {
    if (i++) size += 1;
    if (typeof k === "string") size += stringContentBytes(k) + 3;
    if (segs.length === 0 && k === "relay") {
      size += jsonBytes(v);
      return;
    }
    segs.push(k);
    const r = collect(v, segs, ancestors, out, node, k);
    segs.pop();
    size += r.size;
    if (r.maxString > maxString) maxString = r.maxString;
  };
  if (Array.isArray(node)) for (let j = 0; j < node.length; j++) visit(j, node[j]!);
  else for (const k in node) visit(k, node[k]!);
  ancestors.pop();
  if (Array.isArray(node) && node.length && parent && !KEPT_ELEMENTS.has(shape(segs))) {
    out.push({ kind: "array", parent, key: key!, segs: segs.slice(), ancestors: ancestors.slice(), weight: Math.max(0, size - 2 - maxString) });
  }
  return { size, maxString };
}

/** The level L such that cutting every weight above L to L removes at least `excess` (0 if nothing less will do). */
export function waterLevel(weights: number[], excess: number): number {
  const w = [...weights].sort((a, b) => b - a);
  let sum = 0;
  for (let k = 1; k <= w.length; k++) {
    sum += w[k - 1]!;
    const level = Math.floor((sum - excess) / k);
    if (level >= (w[k] ?? 0)) return Math.max(0, level);
  }
  return 0;
}

function hashOf(v: Json): string | null {
  return v && typeof v === "object" && !Array.isArray(v) && typeof v.hash === "string" ? v.hash : null;
}

class Trimmer {
  private readonly records = new Map<string, Pending>();
  private readonly detached = new WeakSet<object>();

  constructor(private readonly root: { [k: string]: Json }, private readonly originalBytes: number) {}

  /** The note, listing dropped hashes (in order, record by record) within `hashBytes`. */
  note(hashBytes: number): Json {
    const live = [...this.records.values()].filter((r) => !this.isDropped(r.segs));
    let room = hashBytes;
    const listed = live.slice(0, MAX_RECORDS).map(({ segs: _s, hashes, ...r }) => {
      let n = 0;
      while (n < hashes.length && room >= hashes[n]!.length + 3) room -= hashes[n++]!.length + 3;
      return (n ? { ...r, droppedHashes: hashes.slice(0, n) } : r) as unknown as Json;
    });
    return { trimmed: listed, originalBytes: this.originalBytes, ...(live.length > MAX_RECORDS ? { moreTrimmed: live.length - MAX_RECORDS } : {}) };
  }

  /** A record whose path lies inside an array element that was dropped later no longer applies. */
  private isDropped(segs: Seg[]): boolean {
    for (const a of this.records.values()) {
      if (a.type !== "array" || a.segs.length >= segs.length) continue;
      const idx = segs[a.segs.length];
      if (typeof idx === "number" && idx >= a.keptLength! && a.segs.every((s, i) => s === segs[i])) return true;
    }
    return false;
  }

  /** Room kept for dropped commits' hashes while trimming (the rest is added at the end if it fits). */
  hashReserve = 0;

  measure(): { size: number; pieces: Piece[] } {
    this.root.relay = this.note(this.hashReserve);
    const pieces: Piece[] = [];
    const { size } = collect(this.root, [], [], pieces);
    return { size, pieces };
  }

  cut(pieces: Piece[], level: number): void {
    for (const p of pieces.filter((x) => x.kind === "array" && x.weight > level)) this.dropTail(p, level);
    for (const p of pieces) {
      if (p.kind !== "string" || p.weight <= level || this.gone(p)) continue;
      const s = (p.parent as Record<Seg, Json>)[p.key] as string;
      const next = level >= 3 ? cutToJsonBytes(s, level - 3) + ELLIPSIS : cutToJsonBytes(s, level);
      (p.parent as Record<Seg, Json>)[p.key] = next;
      const path = pointer(p.segs);
      const rec = this.records.get(path) ?? { path, type: "string" as const, originalBytes: Buffer.byteLength(s), segs: p.segs, hashes: [] };
      rec.keptBytes = Buffer.byteLength(next);
      this.records.set(path, rec);
    }
  }

  /** The piece sits in an array element dropped in this round. */
  private gone(p: Piece): boolean {
    if (Array.isArray(p.parent) && (p.key as number) >= p.parent.length) return true;
    return p.ancestors.some((a) => this.detached.has(a));
  }

  private dropTail(p: Piece, level: number): void {
    if (this.gone(p)) return;
    const arr = (p.parent as Record<Seg, Json>)[p.key] as Json[];
    const path = pointer(p.segs);
    const rec = this.records.get(path) ?? { path, type: "array" as const, originalLength: arr.length, segs: p.segs, hashes: [] };
    let weight = p.weight;
    const dropped: Json[] = [];
    while (arr.length && weight > level) {
      const last = arr.pop()!;
      weight -= jsonBytes(last) + (arr.length ? 1 : 0);
      dropped.unshift(last);
      if (last && typeof last === "object") this.detached.add(last);
    }
    rec.hashes = [...dropped.map(hashOf).filter((h): h is string => h !== null), ...rec.hashes];
    rec.keptLength = arr.length;
    this.records.set(path, rec);
  }

  /** Lists as many dropped hashes as fit with the whole Detail within `maxBytes`. */
  addHashes(maxBytes: number): void {
    const all = [...this.records.values()].reduce((n, r) => n + r.hashes.reduce((m, h) => m + h.length + 3, 0), 0);
    let lo = this.hashReserve;
    let hi = Math.max(lo, all);
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      this.root.relay = this.note(mid);
      if (jsonBytes(this.root) <= maxBytes) lo = mid;
      else hi = mid - 1;
    }
    this.root.relay = this.note(lo);
  }

  get count(): number {
    return this.records.size;
  }
}

export function trimDetail(detail: Record<string, unknown>, maxBytes: number): TrimResult {
  const original = JSON.stringify(detail);
  const originalBytes = Buffer.byteLength(original);
  if (originalBytes <= maxBytes) return { detail, json: original, trimmed: false, records: [] };
  const root = JSON.parse(original) as { [k: string]: Json };
  const t = new Trimmer(root, originalBytes);
  t.hashReserve = Math.floor(maxBytes / 10);
  let previous = Infinity;
  let force = false;
  for (let round = 0; round < 64; round++) {
    const { size, pieces } = t.measure();
    if (size <= maxBytes) {
      t.addHashes(maxBytes);
      const json = JSON.stringify(root);
      const records = (root.relay as { trimmed: Json[] }).trimmed as unknown as TrimRecord[];
      return { detail: root, json, trimmed: true, records };
    }
    if (size >= previous && force) {
      if (!t.hashReserve) break;
      t.hashReserve = 0; // the hashes give way before anything is refused
      continue;
    }
    force = size >= previous;
    previous = size;
    const level = force ? 0 : waterLevel(pieces.map((p) => p.weight), size - maxBytes);
    t.cut(pieces, level);
  }
  const { size } = t.measure();
  throw new TrimError(
    `the event cannot be trimmed to ${maxBytes} bytes without cutting its identity fields or removing fields (${size} bytes remain of ${originalBytes} after ${t.count} cuts)`,
  );
}
