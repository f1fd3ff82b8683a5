import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The rule of issue 16, step 1: integrations and pages reach Bitbucket only through `BitbucketApi`
 * (`ctx.bitbucket`, `services.bitbucketApiFor`), so that a Data Center installation needs no change
 * in them. Any Cloud REST path, Cloud host, Cloud wire module or raw client under these folders fails.
 */
const FOLDERS = ["src/integrations", "src/web"];
const FORBIDDEN: Array<[RegExp, string]> = [
  [/\/2\.0\//, "a Bitbucket Cloud REST path (/2.0/…)"],
  [/api\.bitbucket\.org/, "the Bitbucket Cloud API host"],
  [/bitbucket\/api\//, "a Cloud wire module (src/bitbucket/api/*): use BitbucketApi"],
  [/bitbucket\/cloud\//, "the Cloud implementation: use BitbucketApi"],
  [/bitbucket\/client["']/, "the raw Bitbucket client: use BitbucketApi"],
  [/\bbitbucketFor\(/, "services.bitbucketFor (the raw client): use services.bitbucketApiFor"],
];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

export function violations(root: string): string[] {
  const out: string[] = [];
  for (const folder of FOLDERS) {
    for (const file of filesUnder(path.join(root, folder))) {
      const lines = fs.readFileSync(file, "utf8").split("\n");
      lines.forEach((line, i) => {
        for (const [re, what] of FORBIDDEN) if (re.test(line)) out.push(`${path.relative(root, file)}:${i + 1}: ${what}`);
      });
    }
  }
  return out;
}

describe("host-neutral rule: integrations and pages name no Bitbucket path", () => {
  it("finds no Cloud path, host, wire module or raw client under src/integrations and src/web", () => {
    assert.deepEqual(violations(process.cwd()), []);
  });

  it("would catch each kind of violation (the guard itself is tested on a scratch tree)", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "relay-guard-"));
    try {
      for (const f of FOLDERS) fs.mkdirSync(path.join(root, f, "x"), { recursive: true });
      const bad = [
        'const p = `/2.0/repositories/${ws}/${slug}`;',
        'const u = "https://api.bitbucket.org/x";',
        'import { postBuildStatus } from "../../bitbucket/api/statuses";',
        'import { CloudBitbucketApi } from "../../bitbucket/cloud/api";',
        'import { repoPath } from "../../bitbucket/client";',
        "const c = services.bitbucketFor(installation);",
      ];
      fs.writeFileSync(path.join(root, "src/integrations/x/bad.ts"), bad.join("\n"));
      fs.writeFileSync(path.join(root, "src/web/ok.ts"), 'import type { BitbucketApi } from "../bitbucket/host-api";\n');
      const found = violations(root);
      assert.equal(found.length, bad.length, found.join("\n"));
      assert.ok(found.every((v) => v.startsWith(path.join("src/integrations/x/bad.ts"))));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
