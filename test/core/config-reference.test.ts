import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EnvSchema } from "../../src/config/config";
import { REFERENCE_FILE, renderConfigReference, schemaDocs } from "../../scripts/config-reference";

const ROOT = path.resolve(__dirname, "../..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Variables src/ reads: `process.env.X`, `process.env["X"]`, and `env.X` where env is an environment map. Writes (`= …`, `??=`) are not reads. */
function variablesRead(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of sourceFiles(path.join(ROOT, "src"))) {
    const text = fs.readFileSync(file, "utf8");
    const patterns = [/process\.env\.([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*(?:\?\?=|=(?!=)))/g, /process\.env\[["']([A-Za-z_][A-Za-z0-9_]*)["']\]/g, /\benv\.([A-Z][A-Za-z0-9_]*|[a-z]+_[a-z_]+)\b(?!\s*(?:\?\?=|=(?!=)))/g];
    for (const re of patterns) for (const m of text.matchAll(re)) if (!out.has(m[1]!)) out.set(m[1]!, path.relative(ROOT, file));
  }
  return out;
}

describe("Configuration reference (docs/configuration.md) is generated from the schema", () => {
  it("the file is what `npm run docs:config` writes from the schema now", () => {
    assert.equal(fs.readFileSync(REFERENCE_FILE, "utf8"), renderConfigReference(), "docs/configuration.md is out of date: run `npm run docs:config`");
  });

  it("every variable of the schema has a meaning (a /** … */ comment above it in src/config/config.ts)", () => {
    const docs = schemaDocs();
    const missing = Object.keys(EnvSchema.shape).filter((name) => !docs.get(name)?.trim());
    assert.deepEqual(missing, [], `variables without a doc comment: ${missing.join(", ")}`);
  });

  it("every variable the code reads is in the schema (and so in the reference)", () => {
    const known = new Set(Object.keys(EnvSchema.shape));
    // Set by the app for a library, never read from the operator's environment.
    const writtenOnly = new Set(["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"]);
    const undocumented = [...variablesRead()].filter(([name]) => !known.has(name) && !writtenOnly.has(name));
    assert.deepEqual(undocumented, [], `read but not in the schema: ${undocumented.map(([n, f]) => `${n} (${f})`).join(", ")}`);
  });

  it("the scan finds reads (it is not vacuous): a made-up read would be caught", () => {
    const reads = variablesRead();
    for (const v of ["HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "NODE_ENV", "ALLOW_SQLITE_IN_PRODUCTION"]) assert.ok(reads.has(v), v);
  });
});
