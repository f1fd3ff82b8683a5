import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

/**
 * Validates JSON request bodies against `requestBody.content["application/json"].schema` of the
 * matching operation in Bitbucket's OpenAPI 3.0 document.
 *
 * The spec's `components.schemas` are registered with ajv under SPEC_ID and every `$ref:
 * "#/components/schemas/x"` of an operation schema is rewritten to `SPEC_ID#/components/schemas/x`.
 * `allOf` is plain JSON Schema; `nullable` is understood by ajv; OpenAPI's `discriminator` is ignored.
 *
 * Request-side adjustments (the schemas describe responses as much as requests):
 * 1. `type` is NOT required in requests. Nearly every schema is `allOf: [object, {...}]` and the `object`
 *    base says `required: ["type"]`, but `type` is the discriminator Bitbucket fills in itself: the spec's
 *    own request examples for POST .../statuses/build send `{key, state, description, url}` without it,
 *    and Bitbucket accepts such bodies. So `type` is dropped from `object.required` here (responses
 *    still always carry `type`). The operation's own `required` (`key`, `state` for commitstatus) stays.
 * 2. `readOnly` properties are never required in requests (OpenAPI 3.0 semantics).
 * 3. An `enum` listing `null` (e.g. participant.state) implies `nullable: true`.
 * 4. Bitbucket-side limits the spec doesn't state: commit status `key` is at most 40 characters.
 */

export const SPEC_ID = "https://api.bitbucket.org/swagger.v3.json";

/** Limits enforced by Bitbucket beyond the spec: schema name -> property -> extra JSON Schema. */
const BITBUCKET_LIMITS: Record<string, Record<string, Record<string, unknown>>> = {
  commitstatus: { key: { maxLength: 40 } },
};

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function deepClone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v));
}

function walk(v: unknown, visit: (o: Obj) => void): void {
  if (Array.isArray(v)) v.forEach((x) => walk(x, visit));
  else if (isObj(v)) {
    visit(v);
    Object.values(v).forEach((x) => walk(x, visit));
  }
}

function forRequests(schemas: Obj): Obj {
  const out = deepClone(schemas);
  walk(out, (s) => {
    if (Array.isArray(s.enum) && s.enum.includes(null)) s.nullable = true;
    if (Array.isArray(s.required) && isObj(s.properties)) {
      const props = s.properties;
      s.required = s.required.filter((name) => !(typeof name === "string" && isObj(props[name]) && props[name].readOnly === true));
    }
  });
  const base = out.object;
  if (isObj(base) && Array.isArray(base.required)) base.required = base.required.filter((r) => r !== "type");
  for (const [name, limits] of Object.entries(BITBUCKET_LIMITS)) {
    const schema = out[name];
    const parts = isObj(schema) && Array.isArray(schema.allOf) ? [schema, ...schema.allOf] : [schema];
    for (const part of parts) {
      if (!isObj(part) || !isObj(part.properties)) continue;
      for (const [prop, extra] of Object.entries(limits)) {
        const target = part.properties[prop];
        if (isObj(target)) Object.assign(target, extra);
      }
    }
  }
  return out;
}

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === "$ref" && typeof x === "string" && x.startsWith("#/") ? `${SPEC_ID}${x}` : rewriteRefs(x);
  return out;
}

export type ValidationResult = { ok: true; validated: boolean } | { ok: false; fields: Record<string, string[]> };

interface Template {
  template: string;
  regex: RegExp;
  literalSegments: number;
}

export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly paths: Obj;
  private readonly templates: Template[];
  private readonly compiled = new Map<string, ValidateFunction | null>();

  constructor(spec: Obj) {
    if (!isObj(spec.paths) || !isObj(spec.components) || !isObj(spec.components.schemas)) throw new Error("not an OpenAPI document");
    this.paths = spec.paths;
    this.ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: SPEC_ID, components: { schemas: forRequests(spec.components.schemas) } });
    this.templates = Object.keys(this.paths)
      .map((template) => {
        const segs = template.split("/").slice(1);
        const pattern = segs.map((s) => (/^\{[^}]+\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))).join("/");
        return { template, regex: new RegExp(`^/${pattern}/?$`), literalSegments: segs.filter((s) => !s.startsWith("{")).length };
      })
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** The spec path template a request path (without the `/2.0` prefix) belongs to. */
  matchTemplate(apiPath: string): string | undefined {
    return this.templates.find((t) => t.regex.test(apiPath))?.template;
  }

  /** `validated: false` when the operation documents no JSON request body. */
  validate(method: string, apiPath: string, body: unknown): ValidationResult {
    const template = this.matchTemplate(apiPath);
    const validator = template ? this.validatorFor(template, method.toLowerCase()) : null;
    if (!validator) return { ok: true, validated: false };
    if (validator(body)) return { ok: true, validated: true };
    return { ok: false, fields: toFields(validator.errors ?? []) };
  }

  private validatorFor(template: string, method: string): ValidateFunction | null {
    const cacheKey = `${method} ${template}`;
    if (!this.compiled.has(cacheKey)) {
      const item = this.paths[template];
      const op = isObj(item) ? item[method] : undefined;
      const rb = isObj(op) ? op.requestBody : undefined;
      const content = isObj(rb) && isObj(rb.content) ? rb.content["application/json"] : undefined;
      const schema = isObj(content) ? content.schema : undefined;
      this.compiled.set(cacheKey, isObj(schema) ? this.ajv.compile(rewriteRefs(schema) as Obj) : null);
    }
    return this.compiled.get(cacheKey) ?? null;
  }
}

/** ajv errors as Bitbucket's `error.fields`: dotted field name -> messages (Django REST style). */
function toFields(errors: ErrorObject[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const e of errors) {
    const base = e.instancePath.split("/").slice(1).join(".");
    const missing = e.keyword === "required" ? String(e.params.missingProperty) : "";
    const name = [base, missing].filter(Boolean).join(".") || "non_field_errors";
    const msg = message(e);
    fields[name] ??= [];
    if (!fields[name].includes(msg)) fields[name].push(msg);
  }
  return fields;
}

function message(e: ErrorObject): string {
  switch (e.keyword) {
    case "required":
      return "This field is required.";
    case "enum":
      return `${JSON.stringify(e.data)} is not a valid choice.`;
    case "maxLength":
      return `Ensure this value has at most ${String(e.params.limit)} characters (it has ${typeof e.data === "string" ? e.data.length : "?"}).`;
    case "type":
      return `Not a valid ${String(e.params.type)}.`;
    case "format":
      return e.params.format === "uri" ? "Enter a valid URL." : `Not a valid ${String(e.params.format)}.`;
    case "additionalProperties":
      return `Unexpected field: ${String(e.params.additionalProperty)}.`;
    default:
      return e.message ?? "Invalid value.";
  }
}
