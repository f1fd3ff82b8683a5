import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { filesUnder, outsidePaths, ROOT, SCANNED_FOLDERS } from "./outside-paths";

describe("the repository stands alone (a clone with no folder beside it runs its tests)", () => {
  it("no file under src/, test/, bench/ or ui/ names a path outside the repository root", () => {
    const files = SCANNED_FOLDERS.flatMap((folder) => filesUnder(folder));
    assert.ok(files.some((f) => f.startsWith(`src${path.sep}`)) && files.some((f) => f.startsWith(`test${path.sep}`)), "scanned nothing");
    const found = files.flatMap((file) => outsidePaths(file, fs.readFileSync(path.join(ROOT, file), "utf8")));
    assert.deepEqual(found.map((f) => `${f.file}:${f.line}: ${f.text}`), []);
  });

  it("copies only vendor files it names in test/fixtures/SOURCES.md (each file has its provenance row)", () => {
    const sources = fs.readFileSync(path.join(ROOT, "test/fixtures/SOURCES.md"), "utf8");
    const unlisted = filesUnder("test/fixtures")
      .map((f) => path.relative("test/fixtures", f).split(path.sep).join("/"))
      .filter((f) => f !== "SOURCES.md")
      .filter((f) => !f.split("/").some((_, i, parts) => sources.includes(`\`${parts.slice(i).join("/")}\``)));
    assert.deepEqual(unlisted, []);
  });

  it("finds the ways a file can leave the root: __dirname walks, relative literals, absolute and sibling paths", () => {
    const lines = (file: string, source: string) => outsidePaths(file, source).map((f) => f.line);
    const sibling = ["..", "shared", "reference"].join("/");
    assert.deepEqual(lines("test/helpers/fixtures.ts", `const a = 1;\nexport const R = path.resolve(__dirname, "../../${sibling}");`), [2]);
    assert.deepEqual(lines("test/helpers/x.ts", `path.resolve(__dirname, "..", "..", "..", "elsewhere");`), [1]);
    assert.deepEqual(lines("test/helpers/x.ts", "import y from \"../../../y\";\nconst f = `../../../${name}`;"), [1, 2]);
    assert.deepEqual(lines("test/fakes/x.ts", `const SPEC = "/${"work"}/shared/reference/spec.json";`), [1]);
    assert.deepEqual(lines("bench/x.md", `see ${sibling} for the payloads`), [1]);
  });

  it("leaves paths inside the root alone (imports, the fixtures folder, static/, comments naming vendor folders)", () => {
    const source = [
      `import { x } from "../../src/models";`,
      `export const FIXTURES = path.resolve(__dirname, "../fixtures");`,
      `const STATIC = path.resolve(__dirname, "..", "..", "static");`,
      `/** Shapes: shared/reference/forge/fit (documented claims). */`,
      `const url = "https://api.bitbucket.org/2.0/repositories/../x";`,
    ].join("\n");
    assert.deepEqual(outsidePaths("test/helpers/x.ts", source), []);
  });
});
