import fs from "node:fs";
import path from "node:path";
import { FIXTURES } from "../../../helpers/fixtures";

type Schema = { required?: string[]; properties?: Record<string, { type?: string; maxLength?: number; pattern?: string; enum?: string[] }> };
let schemas: Record<string, Schema> | null = null;

/**
 * Field errors of a body against a named schema of the 9.2 spec (required, string type, maxLength,
 * pattern, enum on top-level properties), for resources whose request body the spec declares as
 * `*\/*` (the fake's central validator reads `application/json` only). `[]` when valid.
 */
export function specFieldErrors(schemaName: string, body: unknown): Array<{ context: string; message: string }> {
  schemas ??= (JSON.parse(fs.readFileSync(path.join(FIXTURES, "bitbucket/bitbucket-datacenter-9.2-openapi.json"), "utf8")) as { components: { schemas: Record<string, Schema> } }).components.schemas;
  const schema = schemas[schemaName];
  if (!schema) throw new Error(`no schema ${schemaName} in the 9.2 spec`);
  if (!body || typeof body !== "object" || Array.isArray(body)) return [{ context: "body", message: "A JSON object is required." }];
  const b = body as Record<string, unknown>;
  const out: Array<{ context: string; message: string }> = [];
  for (const f of schema.required ?? []) if (b[f] === undefined || b[f] === null || b[f] === "") out.push({ context: f, message: `${f} must not be blank` });
  for (const [f, p] of Object.entries(schema.properties ?? {})) {
    const v = b[f];
    if (v === undefined || v === null) continue;
    if (p.type === "string" && typeof v !== "string") out.push({ context: f, message: `${f} must be a string` });
    else if (p.type === "integer" && !Number.isInteger(v)) out.push({ context: f, message: `${f} must be an integer` });
    if (typeof v !== "string") continue;
    if (p.maxLength !== undefined && v.length > p.maxLength) out.push({ context: f, message: `${f} must be at most ${p.maxLength} characters` });
    if (p.pattern && !new RegExp(p.pattern).test(v)) out.push({ context: f, message: `${f} must match ${p.pattern}` });
    if (p.enum && !p.enum.includes(v)) out.push({ context: f, message: `${f} must be one of ${p.enum.join(", ")}` });
  }
  return out;
}
