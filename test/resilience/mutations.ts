import fc from "fast-check";
import type { FieldType, InboundEndpoint } from "./inbound-endpoints";

/**
 * Ways to break a request to an inbound endpoint, each of which must be refused: bodies that are
 * malformed, truncated, oversized or wrongly typed, and headers that are wrong (content type, charset,
 * encoding, credentials, event key).
 */
export type Mutation =
  | { kind: "garbage"; body: string }
  | { kind: "json-of-wrong-shape"; body: string }
  | { kind: "bytes"; body: Uint8Array }
  | { kind: "truncated"; fraction: number }
  | { kind: "oversized"; extra: number }
  | { kind: "wrong-type"; field: number; value: unknown }
  | { kind: "missing-field"; field: number }
  | { kind: "content-type"; value: string }
  | { kind: "charset"; value: string }
  | { kind: "content-encoding"; value: string }
  | { kind: "credential"; header: number; value: string };

const printable = fc.stringMatching(/^[!-~][ -~]{0,150}$/);

export function mutationArb(endpoint: InboundEndpoint): fc.Arbitrary<Mutation> {
  const credential = fc.record({ header: fc.nat(), value: fc.oneof(printable, fc.constant("")) }).map((r) => ({ kind: "credential" as const, ...r }));
  if (endpoint.credentialsOnly) return credential;
  const arbs: Array<fc.Arbitrary<Mutation>> = [
    fc.string({ maxLength: 300 }).map((body) => ({ kind: "garbage" as const, body })),
    fc.json({ maxDepth: 3 }).map((body) => ({ kind: "json-of-wrong-shape" as const, body })),
    fc.uint8Array({ maxLength: 300 }).map((body) => ({ kind: "bytes" as const, body })),
    fc.double({ min: 0, max: 0.999, noNaN: true }).map((fraction) => ({ kind: "truncated" as const, fraction })),
    fc.integer({ min: 1, max: 8192 }).map((extra) => ({ kind: "oversized" as const, extra })),
    fc.record({ field: fc.nat(), value: fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.string(), fc.array(fc.integer(), { minLength: 1, maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 })) }).map((r) => ({ kind: "wrong-type" as const, ...r })),
    fc.nat().map((field) => ({ kind: "missing-field" as const, field })),
    fc
      .constantFrom("text/plain", "application/x-www-form-urlencoded", "application/octet-stream", "multipart/form-data; boundary=x", "application/xml", "image/png")
      .map((value) => ({ kind: "content-type" as const, value })),
    fc.constantFrom("klingon", "latin1", "ebcdic-cp-us", "x-unknown").map((value) => ({ kind: "charset" as const, value })),
    fc.constantFrom("gzip", "deflate", "br", "compress", "x-unknown").map((value) => ({ kind: "content-encoding" as const, value })),
  ];
  if (endpoint.credentialHeaders.length) {
    arbs.push(credential);
  }
  return fc.oneof(...arbs);
}

function hasType(value: unknown, type: FieldType): boolean {
  if (type === "string") return typeof value === "string";
  if (type === "array") return Array.isArray(value);
  if (type === "int") return Number.isInteger(value);
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Makes sure the value is NOT of the expected type (a generated value that happens to be is changed). */
function wrongFor(type: FieldType, value: unknown): unknown {
  if (!hasType(value, type)) return value;
  if (type === "array") return { items: value };
  if (type === "int") return `${String(value)}`;
  return [value];
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown, remove: boolean): Record<string, unknown> {
  const copy = structuredClone(obj);
  const keys = path.split(".");
  let cur: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (remove) delete cur[last];
  else cur[last] = value;
  return copy;
}

export interface BrokenRequest {
  body: string | Buffer;
  headers: Record<string, string>;
}

/** The request a mutation makes of an endpoint: a broken body signed correctly, or a valid body with a broken header. */
export function applyMutation(endpoint: InboundEndpoint, m: Mutation, maxBodyBytes: number): BrokenRequest {
  const validRaw = JSON.stringify(endpoint.valid);
  const json = (raw: string | Buffer, extra: Record<string, string> = {}): BrokenRequest => ({
    body: raw,
    headers: { "content-type": "application/json", ...endpoint.headers(raw.toString()), ...extra },
  });
  switch (m.kind) {
    case "garbage":
    case "json-of-wrong-shape":
      return json(m.body);
    case "bytes":
      return json(Buffer.from(m.body));
    case "truncated":
      return json(validRaw.slice(0, Math.floor(validRaw.length * m.fraction)));
    case "oversized":
      return json(JSON.stringify({ ...endpoint.valid, padding: "x".repeat(maxBodyBytes + m.extra) }));
    case "wrong-type": {
      const [path, type] = endpoint.required[m.field % endpoint.required.length]!;
      return json(JSON.stringify(setPath(endpoint.valid, path, wrongFor(type, m.value), false)));
    }
    case "missing-field": {
      const [path] = endpoint.required[m.field % endpoint.required.length]!;
      return json(JSON.stringify(setPath(endpoint.valid, path, undefined, true)));
    }
    case "content-type":
      return { body: validRaw, headers: { ...endpoint.headers(validRaw), "content-type": m.value } };
    case "charset":
      return json(validRaw, { "content-type": `application/json; charset=${m.value}` });
    case "content-encoding":
      return json(validRaw, { "content-encoding": m.value });
    case "credential": {
      const header = endpoint.credentialHeaders[m.header % endpoint.credentialHeaders.length]!;
      const good = endpoint.headers(validRaw)[header];
      // A value equal to the real one (after HTTP's whitespace trimming) is not a broken credential,
      // and an empty X-Event-Key counts as absent (the URL names the event): make both wrong.
      const value = header === "x-event-key" ? `bogus:${m.value}` : m.value.trim() === good?.trim() ? `${m.value}x` : m.value;
      return json(validRaw, { [header]: value });
    }
  }
}
