import type { FieldMeta, JsonSchema } from "./types";

export type FieldKind = "boolean" | "integer" | "number" | "string" | "enum" | "string-list" | "number-list" | "enum-list" | "json";

/** One choice of an enum or list field: the stored value (as text) and the label people know. */
export interface Choice {
  value: string;
  label: string;
}

/** One editable field of a settings card, from the integration's JSON Schema and its field metadata. */
export interface FieldSpec {
  name: string;
  label: string;
  description: string | null;
  placeholder: string | null;
  /** The group the card shows it in, or null (shown first). */
  group: string | null;
  kind: FieldKind;
  /** Enum values or list items to choose from, in the order shown. */
  options: Choice[];
  /** The choices stand for numbers (weekdays 1–7): stored as numbers. */
  numeric: boolean;
  multiline: boolean;
}

/** What an input holds: text for text-like fields, a flag for booleans. */
export type InputValue = string | boolean | string[];

interface Prop {
  type?: string | string[];
  enum?: unknown[];
  title?: string;
  description?: string;
  items?: Prop;
  anyOf?: Prop[];
  const?: unknown;
}

/** Words that are written in capitals (or their own way) in a label. */
const ACRONYMS: Record<string, string> = {
  aws: "AWS", arn: "ARN", url: "URL", urls: "URLs", api: "API", id: "ID", ids: "IDs", kms: "KMS",
  sha: "SHA", iam: "IAM", sse: "SSE", pr: "PR", prs: "PRs", s3: "S3", hmac: "HMAC", dlq: "DLQ",
  eventbridge: "EventBridge", pagerduty: "PagerDuty", alertops: "AlertOps",
};

export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase()
    .split(" ")
    .filter(Boolean)
    .map((w) => ACRONYMS[w] ?? w);
  const label = words.join(" ");
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** The telling branch of `anyOf`: not `null`, not a constant such as `""` ("or empty"). */
function flatten(p: Prop): Prop {
  if (p.anyOf?.length) {
    const branch = p.anyOf.find((b) => b.type !== "null" && b.const === undefined) ?? p.anyOf.find((b) => b.type !== "null") ?? p.anyOf[0]!;
    return { ...branch, title: p.title ?? branch.title, description: p.description ?? branch.description };
  }
  return p;
}

function kindOf(p: Prop): { kind: FieldKind; options: string[] } {
  if (Array.isArray(p.enum) && p.enum.every((v) => typeof v === "string")) return { kind: "enum", options: p.enum as string[] };
  const type = Array.isArray(p.type) ? p.type.find((t) => t !== "null") : p.type;
  if (type === "boolean") return { kind: "boolean", options: [] };
  if (type === "integer") return { kind: "integer", options: [] };
  if (type === "number") return { kind: "number", options: [] };
  if (type === "string") return { kind: "string", options: [] };
  if (type === "array" && p.items) {
    const items = flatten(p.items);
    if (Array.isArray(items.enum) && items.enum.every((v) => typeof v === "string")) return { kind: "enum-list", options: items.enum as string[] };
    if (items.type === "string") return { kind: "string-list", options: [] };
    if (items.type === "integer" || items.type === "number") return { kind: "number-list", options: [] };
  }
  return { kind: "json", options: [] };
}

/** The choices of a field: the metadata's labelled options when given (in their order), else the schema's values as they are. */
function choicesOf(kind: FieldKind, schemaOptions: string[], meta: FieldMeta | undefined): { kind: FieldKind; options: Choice[]; numeric: boolean } {
  const labelled = meta?.options?.map((o) => ({ value: String(o.value), label: o.label }));
  if (kind === "number-list" && labelled?.length) return { kind: "enum-list", options: labelled, numeric: true };
  if (kind === "enum" || kind === "enum-list") {
    const known = new Map((labelled ?? []).map((o) => [o.value, o.label]));
    const order = labelled?.length ? [...labelled.map((o) => o.value), ...schemaOptions.filter((v) => !known.has(v))] : schemaOptions;
    return { kind, options: order.map((v) => ({ value: v, label: known.get(v) ?? v })), numeric: false };
  }
  return { kind, options: [], numeric: false };
}

/**
 * The card's fields: every property but `enabled` (the toggle) and the secret fields (write-only),
 * labelled and explained by the integration's field metadata where it has some, else by the schema.
 */
export function fieldsOf(schema: JsonSchema | null, secretFields: string[], meta: Record<string, FieldMeta> = {}): FieldSpec[] {
  const props = (schema?.properties ?? {}) as Record<string, Prop>;
  return Object.entries(props)
    .filter(([name]) => name !== "enabled" && !secretFields.includes(name))
    .map(([name, raw]) => {
      const p = flatten(raw);
      const m = meta[name];
      const base = kindOf(p);
      const { kind, options, numeric } = choicesOf(base.kind, base.options, m);
      return {
        name,
        label: m?.label ?? p.title ?? humanize(name),
        description: m?.help ?? p.description ?? null,
        placeholder: m?.placeholder ?? (kind === "string-list" || kind === "number-list" ? "comma, separated, values" : null),
        group: m?.group ?? null,
        kind,
        options,
        numeric,
        multiline: kind === "json",
      };
    });
}

/** The label, help text, placeholder and group of a secret field. */
export function secretLabel(
  schema: JsonSchema | null,
  name: string,
  meta: Record<string, FieldMeta> = {},
): { label: string; description: string | null; placeholder: string | null; group: string | null } {
  const raw = ((schema?.properties ?? {}) as Record<string, Prop>)[name];
  const p = raw ? flatten(raw) : {};
  const m = meta[name];
  return { label: m?.label ?? p.title ?? humanize(name), description: m?.help ?? p.description ?? null, placeholder: m?.placeholder ?? null, group: m?.group ?? null };
}

/** A stored value as the input shows it. */
export function toInput(spec: FieldSpec, value: unknown): InputValue {
  if (spec.kind === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (spec.kind === "enum-list") return Array.isArray(value) ? value.map(String) : [];
  if (spec.kind === "string-list" || spec.kind === "number-list") return Array.isArray(value) ? value.join(", ") : String(value);
  if (spec.kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

/**
 * An input as the API expects it. Text that is not a number stays text, so that the server's
 * validation explains what is wrong instead of the page guessing.
 */
export function toWire(spec: FieldSpec, input: InputValue): unknown {
  if (spec.kind === "boolean") return input === true;
  if (spec.kind === "enum-list") {
    // In the order of the choices, whatever order they were ticked in (weekdays read Monday first).
    const picked = Array.isArray(input) ? spec.options.map((o) => o.value).filter((v) => input.includes(v)) : [];
    return spec.numeric ? picked.map(Number) : picked;
  }
  const text = String(input);
  if (spec.kind === "integer" || spec.kind === "number") {
    const trimmed = text.trim();
    return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
  }
  if (spec.kind === "string-list") return text.split(",").map((s) => s.trim()).filter(Boolean);
  if (spec.kind === "number-list") {
    return text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => (Number.isFinite(Number(s)) ? Number(s) : s));
  }
  if (spec.kind === "json") {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
