/**
 * Sizes of JSON values in UTF-8 bytes, as `JSON.stringify` writes them (escapes included), without
 * serialising: EventBridge counts an entry's Detail in UTF-8 bytes
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Bytes one UTF-16 code unit (or pair) takes inside a JSON string; `pair` = it starts a surrogate pair. */
function unitCost(s: string, i: number): { bytes: number; units: number } {
  const c = s.charCodeAt(i);
  if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) return { bytes: 2, units: 1 };
  if (c < 0x20) return { bytes: 6, units: 1 }; // \u00XX
  if (c < 0x80) return { bytes: 1, units: 1 };
  if (c < 0x800) return { bytes: 2, units: 1 };
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = s.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return { bytes: 4, units: 2 };
    return { bytes: 6, units: 1 }; // a lone surrogate is written as \udXXX
  }
  if (c >= 0xdc00 && c <= 0xdfff) return { bytes: 6, units: 1 };
  return { bytes: 3, units: 1 };
}

/** UTF-8 bytes of a string's JSON form without the quotes. */
export function stringContentBytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; ) {
    const u = unitCost(s, i);
    n += u.bytes;
    i += u.units;
  }
  return n;
}

/** The longest prefix of `s` whose JSON form (without quotes) takes at most `maxBytes`; never splits a character. */
export function cutToJsonBytes(s: string, maxBytes: number): string {
  let n = 0;
  let i = 0;
  while (i < s.length) {
    const u = unitCost(s, i);
    if (n + u.bytes > maxBytes) break;
    n += u.bytes;
    i += u.units;
  }
  return s.slice(0, i);
}

/** UTF-8 bytes of `JSON.stringify(v)` for a JSON value. */
export function jsonBytes(v: Json): number {
  if (v === null) return 4;
  if (typeof v === "string") return stringContentBytes(v) + 2;
  if (typeof v !== "object") return String(JSON.stringify(v)).length;
  if (Array.isArray(v)) {
    let n = 2 + Math.max(0, v.length - 1);
    for (const e of v) n += jsonBytes(e);
    return n;
  }
  const keys = Object.keys(v);
  let n = 2 + Math.max(0, keys.length - 1);
  for (const k of keys) n += stringContentBytes(k) + 3 + jsonBytes(v[k]!);
  return n;
}
