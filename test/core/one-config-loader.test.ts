import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const SRC = path.resolve(__dirname, "../../src");
/**
 * Files that touch `process.env` besides the loader, and why: ACE reads its options from AC_OPTS (set,
 * not read), start-up silences the SDK's Node version warning (set), and the HTTP client mirrors the
 * proxy variables undici's EnvHttpProxyAgent reads itself (to know whether names resolve at the proxy).
 */
const ALLOWED = new Set(["connect/addon.ts", "main.ts", "http/client.ts"]);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith(".ts") ? [full] : [];
  });
}

describe("One config loader: nothing under src/ reads the environment but src/config/", () => {
  it("routes every variable through src/config/config.ts (loadConfig, awsRuntimeConfig)", () => {
    const readers = sources(SRC)
      .map((f) => path.relative(SRC, f).split(path.sep).join("/"))
      .filter((rel) => !rel.startsWith("config/") && !ALLOWED.has(rel))
      .filter((rel) => /process\.env\b/.test(fs.readFileSync(path.join(SRC, rel), "utf8")));
    assert.deepEqual(readers, []);
  });
});
