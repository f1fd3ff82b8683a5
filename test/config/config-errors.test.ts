import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/config/config";
import { runMain } from "../helpers/child";
import { configProblems, MINIMAL_ENV } from "../helpers/config";

/**
 * Configuration errors say where and what is wrong, on one line each, and never echo a file's content
 * or a secret variable's value (newcomer try-out, issue 16).
 */
const BASE = MINIMAL_ENV;
const DC = { BITBUCKET_DC_BASE_URL: "https://git.example.com/bitbucket", BITBUCKET_DC_TOKEN: "tok-secret-1", BITBUCKET_DC_CLIENT_ID: "cid", BITBUCKET_DC_CLIENT_SECRET: "csecret-1" };

const problems = configProblems;

describe("Configuration errors: one line, where and what, never a secret", function () {
  this.timeout(600_000); // the process cases start the real entry point, slow on a loaded machine
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-cfgerr-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (body: unknown) => {
    const f = path.join(dir, "dc.json");
    fs.writeFileSync(f, typeof body === "string" ? body : JSON.stringify(body));
    return f;
  };
  const full = (extra: Record<string, unknown> = {}) => ({ baseUrl: "https://a.example.com", token: "t-secret-9", clientId: "c", clientSecret: "s-secret-9", ...extra });

  it("an instances file holding a token instead of JSON: the app prints one line without any of it, exit 2", async () => {
    const f = write("BBDC-MySecretToken123");
    const { code, stderr } = await runMain({ DATA_DIR: path.join(dir, "data"), BITBUCKET_DC_INSTANCES_FILE: f }).exited;
    assert.equal(code, 2, stderr);
    assert.deepEqual(stderr.trim().split("\n"), [`configuration error: BITBUCKET_DC_INSTANCES_FILE: ${f}: not valid JSON at line 1, column 1 (expected {"instances":[…]})`]);
    for (const part of ["BBDC", "MySec", "Token123"]) assert.ok(!stderr.includes(part), `no part of the file is shown: ${stderr}`);
  });

  it("malformed files: one line each, line/column where the parser knows it, never the content", () => {
    const cases: Array<[string, RegExp]> = [
      ["nope\n", /: not valid JSON at line 1, column 2 \(expected/],
      ['{\n  "instances": x\n}', /: not valid JSON at line 2, column 16 \(expected/],
      ["", /: not valid JSON: it ends too early/],
      ['{"instances":[{"token":"t-secret-9",}]}', /: not valid JSON at line 1, column 37 \(expected/],
      ['{\n  "instances": [\n    {"token": "t-secret-9" "clientSecret": "s-secret-9"}\n  ]\n}', /: not valid JSON at line 3, column \d+ \(expected/],
    ];
    for (const [body, line] of cases) {
      const p = problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: write(body) });
      assert.equal(p.length, 1, JSON.stringify(p));
      assert.match(p[0]!, line);
      assert.ok(!/[\n\r]/.test(p[0]!), `one line: ${JSON.stringify(p[0])}`);
      assert.ok(!p[0]!.includes("secret-9") && !p[0]!.includes("nope"), `no content: ${p[0]}`);
    }
  });

  it("a file name with a newline still makes one line", () => {
    const f = path.join(dir, "a\nb.json");
    const p = problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: f });
    assert.equal(p.length, 1);
    assert.ok(!p[0]!.includes("\n"), JSON.stringify(p[0]));
    assert.match(p[0]!, /cannot read the file \(ENOENT\)$/);
  });

  it("no value of a secret-named variable, nor a URL password, is quoted in an error line", () => {
    const p = problems({ ...BASE, PORT: "x", APP_KEY: "k".repeat(65), BASE_URL: "https://user:hunter2@relay.example.com/?a=1", FORGE_SITE_URL: "https://u:pw-secret@x y" });
    const all = p.join("\n");
    assert.ok(all.includes('PORT: must be a whole number (got "x")'), all);
    for (const s of ["hunter2", "kkkk", "pw-secret"]) assert.ok(!all.includes(s), `${s} shown:\n${all}`);
  });

  it("a missing or wrong field in the instances file names the instance and the field, as the env-var path does", () => {
    const f = write({ instances: [full(), full({ baseUrl: "https://b.example.com/bb", name: "Main DC", clientSecret: undefined }), full({ baseUrl: "https://c.example.com", token: "", clientId: 7 }), "x"] });
    assert.deepEqual(problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: f }), [
      `BITBUCKET_DC_INSTANCES_FILE: ${f}: instance 2 ("Main DC"): clientSecret is required`,
      `BITBUCKET_DC_INSTANCES_FILE: ${f}: instance 3 ("c.example.com"): token must not be empty`,
      `BITBUCKET_DC_INSTANCES_FILE: ${f}: instance 3 ("c.example.com"): clientId must be a string`,
      `BITBUCKET_DC_INSTANCES_FILE: ${f}: instance 4: must be an object {baseUrl, token, clientId, clientSecret, name?}`,
    ]);
    for (const field of ["baseUrl", "token", "clientId", "clientSecret"]) {
      const g = write({ instances: [full({ [field]: undefined })] });
      const label = field === "baseUrl" ? "instance 1" : 'instance 1 ("a.example.com")';
      assert.deepEqual(problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: g }), [`BITBUCKET_DC_INSTANCES_FILE: ${g}: ${label}: ${field} is required`]);
    }
    const h = write({ instances: [] });
    assert.deepEqual(problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: h }), [`BITBUCKET_DC_INSTANCES_FILE: ${h}: instances must list at least one instance`]);
    const k = write({ hosts: [] });
    assert.deepEqual(problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: k }), [`BITBUCKET_DC_INSTANCES_FILE: ${k}: must be an object {"instances":[{baseUrl, token, clientId, clientSecret, name?}, …]}`]);
  });

  it("a base URL (DC, BASE_URL, FORGE_SITE_URL) with a query, a fragment or user info is refused in one line (the password never shown)", () => {
    const QUERY = "must not carry a query (?…) or fragment (#…); give the base URL with its context path only";
    const USER = "must not carry user info (user:password@); give the URL without it";
    assert.deepEqual(problems({ ...BASE, ...DC, BITBUCKET_DC_BASE_URL: "https://git.example.com/bitbucket?x=1#frag" }), [`BITBUCKET_DC_BASE_URL: ${QUERY}`]);
    assert.deepEqual(problems({ ...BASE, ...DC, BITBUCKET_DC_BASE_URL: "https://git.example.com/bitbucket#frag" }), [`BITBUCKET_DC_BASE_URL: ${QUERY}`]);
    assert.deepEqual(problems({ ...BASE, ...DC, BITBUCKET_DC_BASE_URL: "https://git.example.com/bitbucket?" }), [`BITBUCKET_DC_BASE_URL: ${QUERY}`]);
    const userInfo = problems({ ...BASE, ...DC, BITBUCKET_DC_BASE_URL: "https://u:p4ssw0rd@git.example.com" });
    assert.deepEqual(userInfo, [`BITBUCKET_DC_BASE_URL: ${USER}`]);
    const f = write({ instances: [full({ baseUrl: "https://u:p4ssw0rd@a.example.com/bb?x=1" }), full({ baseUrl: "https://b.example.com/#top" })] });
    assert.deepEqual(problems({ ...BASE, BITBUCKET_DC_INSTANCES_FILE: f }), [
      `BITBUCKET_DC_INSTANCES_FILE: ${f}: instance 1 ("a.example.com/bb"): baseUrl ${USER}`,
      `BITBUCKET_DC_INSTANCES_FILE: ${f}: instance 2 ("b.example.com"): baseUrl ${QUERY}`,
    ]);
    // The app's own BASE_URL: the same rule (every link the app prints starts with it).
    assert.deepEqual(problems({ ...BASE, BASE_URL: "https://relay.example.com/?x=1" }), [`BASE_URL: ${QUERY} (got "https://relay.example.com/?x=1")`]);
    assert.deepEqual(problems({ ...BASE, BASE_URL: "https://me:hunter2@relay.example.com" }), [`BASE_URL: ${USER}`]);
    // The Bitbucket site Forge users are on: links in messages start with it too.
    assert.deepEqual(problems({ ...BASE, FORGE_SITE_URL: "https://bitbucket.org/?x=1" }), [`FORGE_SITE_URL: ${QUERY} (got "https://bitbucket.org/?x=1")`]);
    assert.deepEqual(problems({ ...BASE, FORGE_SITE_URL: "https://me:hunter2@bitbucket.org" }), [`FORGE_SITE_URL: ${USER}`]);
    assert.equal(loadConfig({ ...BASE, ...DC }).dataCenter.instances[0]!.baseUrl, "https://git.example.com/bitbucket");
  });
});
