import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { ProcessorBuilder, ValidationTypes } from "@forge/manifest";
import { FORGE_PATHS } from "../../src/forge";
import { FORGE_EVENT_TYPES } from "../../src/forge/product-events";
import { FORGE_RESOURCES, buildForgeResource } from "../../ui/forge/build";
import { PAGES_DIR } from "../../ui/build";
import { FIXTURES } from "../helpers/fixtures";
import { FORGE_UI_MODULES } from "./forge-host";

const ROOT = path.resolve(__dirname, "../..");
const MANIFEST = path.join(ROOT, "manifest.yml");

interface Manifest {
  app: { id: string };
  modules: {
    endpoint: Array<{ key: string; remote: string; route?: { path: string }; auth?: { appUserToken?: { enabled: boolean } } }>;
    trigger: Array<{ key: string; endpoint: string; events: string[] }>;
    scheduledTrigger: Array<{ endpoint: string }>;
    preUninstall: Array<{ endpoint: string }>;
    "bitbucket:repoCodeOverviewCard": Array<{ key: string; resource: string; resolver: { endpoint: string } }>;
    "bitbucket:repoSettingsMenuPage": Array<{ key: string; resource: string; resolver: { endpoint: string } }>;
    "bitbucket:repoMainMenuPage": Array<{ key: string; resource: string; resolver: { endpoint: string } }>;
  };
  resources: Array<{ key: string; path: string }>;
  permissions: { scopes: string[] };
  remotes: Array<{ key: string }>;
}

function load(): Manifest {
  return parse(fs.readFileSync(MANIFEST, "utf8")) as Manifest;
}

function subsetValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(FIXTURES, "forge/manifest-schema.json"), "utf8")) as object);
}

describe("Forge manifest", function () {
  this.timeout(600_000); // a generous bound on a loaded machine

  it("is valid against the @forge/manifest schema (reference subset) with ajv; broken variants are not", () => {
    const validate = subsetValidator();
    const ok = validate(load());
    assert.equal(ok, true, JSON.stringify(validate.errors, null, 1));
    const noRuntime = load() as unknown as { app: Record<string, unknown> };
    delete noRuntime.app.runtime;
    assert.equal(validate(noRuntime), false);
    const badInterval = load() as unknown as { modules: { scheduledTrigger: Array<Record<string, unknown>> } };
    badInterval.modules.scheduledTrigger[0]!.interval = "minute";
    assert.equal(validate(badInterval), false);
  });

  it("points every endpoint at the remote's routes, subscribes only events the door maps, and uses the built resources", () => {
    const m = load();
    const endpoints = new Map(m.modules.endpoint.map((e) => [e.key, e]));
    for (const e of m.modules.endpoint) assert.ok(m.remotes.some((r) => r.key === e.remote), `${e.key} → known remote`);
    const routeOf = (key: string) => endpoints.get(key)?.route?.path;
    const events = m.modules.trigger.flatMap((t) => t.events);
    for (const t of m.modules.trigger) {
      const expected = t.events.every((e) => e.startsWith("avi:forge:")) ? FORGE_PATHS.lifecycle : FORGE_PATHS.events;
      assert.equal(routeOf(t.endpoint), expected, t.key);
      assert.notEqual(endpoints.get(t.endpoint)?.auth?.appUserToken?.enabled, true, "trigger endpoints must not ask for a user token");
    }
    for (const e of events.filter((e) => e.startsWith("avi:bitbucket:"))) assert.ok((FORGE_EVENT_TYPES as string[]).includes(e), e);
    assert.deepEqual([...FORGE_EVENT_TYPES].sort(), events.filter((e) => e.startsWith("avi:bitbucket:")).sort(), "every mapped event is subscribed");
    assert.equal(routeOf(m.modules.scheduledTrigger[0]!.endpoint), FORGE_PATHS.scheduled);
    assert.equal(routeOf(m.modules.preUninstall[0]!.endpoint), FORGE_PATHS.preUninstall);
    const ui = [...m.modules["bitbucket:repoCodeOverviewCard"], ...m.modules["bitbucket:repoSettingsMenuPage"], ...m.modules["bitbucket:repoMainMenuPage"]];
    for (const mod of ui) {
      assert.equal(endpoints.get(mod.resolver.endpoint)?.route, undefined, "UI endpoint: the path comes from invokeRemote");
      const res = m.resources.find((r) => r.key === mod.resource);
      assert.ok(res, mod.resource);
      const folder = path.basename(res.path);
      assert.equal(res.path, `static/forge/${folder}`);
      assert.ok(FORGE_RESOURCES[folder], `resource ${folder} is built by ui/forge/build.ts`);
    }
    // The browser tests play these modules (test/forge/forge-host.ts): each is in the manifest as declared there.
    for (const [name, mod] of Object.entries(FORGE_UI_MODULES)) {
      const declared = (m.modules as unknown as Record<string, Array<{ key: string }> | undefined>)[mod.type];
      assert.ok(declared?.some((d) => d.key === mod.key), `${name}: ${mod.type} ${mod.key} is in manifest.yml`);
    }
    assert.ok(m.permissions.scopes.includes("read:app-system-token"));
    assert.ok(m.permissions.scopes.includes("read:repository:bitbucket"));
    assert.ok(m.permissions.scopes.includes("read:pullrequest:bitbucket"));
  });

  it("passes @forge/manifest's FULL validation (what `forge lint` runs), with the Custom UI resources built", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relay-forge-manifest-"));
    fs.copyFileSync(MANIFEST, path.join(dir, "manifest.yml"));
    const missing: string[] = [];
    for (const [folder, spec] of Object.entries(FORGE_RESOURCES)) {
      if (fs.existsSync(path.join(PAGES_DIR, `${spec.page}.tsx`))) {
        const out = await buildForgeResource(folder, path.join(dir, "static/forge"));
        assert.ok(fs.existsSync(path.join(out, "index.html")) && fs.existsSync(path.join(out, "main.js")));
        assert.doesNotMatch(fs.readFileSync(path.join(out, "index.html"), "utf8"), /<script>[^<]/, "no inline script (Forge CSP)");
      } else {
        // The page is still being written by another engineer: validate the manifest with a placeholder.
        missing.push(folder);
        fs.mkdirSync(path.join(dir, "static/forge", folder), { recursive: true });
        fs.writeFileSync(path.join(dir, "static/forge", folder, "index.html"), "<!doctype html>");
      }
    }
    const result = await ProcessorBuilder.instance().withValidation(ValidationTypes.FULL).build().process(path.join(dir, "manifest.yml"));
    assert.equal(result.success, true, JSON.stringify(result.errors));
    if (missing.length) console.warn(`      (pages not written yet, placeholders used: ${missing.join(", ")})`);
  });
});
