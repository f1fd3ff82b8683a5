import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { buildOptions, PAGES_DIR, UI_ROOT } from "../build";
import { APP_PAGES, type AppPage } from "../../src/web/pages";

/**
 * Builds the Forge Custom UI resources (manifest.yml `resources`): for each, a folder with a static
 * `index.html` and one bundle = the Connect page (`ui/pages/<page>.tsx`, unchanged) started by
 * `ui/lib/forge-boot.ts` (Forge context → bootstrap, `invokeRemote` transport). Forge's CSP allows
 * only scripts from the resource itself, so nothing is inline. `npx tsx ui/forge/build.ts`.
 */
export const FORGE_OUT_DIR = path.resolve(UI_ROOT, "..", "static", "forge");

/** Resource folder (manifest `resources[].path` = static/forge/<folder>) → page name. */
/** Forge resource folder → the app page it serves (one resource per page, named after it). */
export const FORGE_RESOURCES: Record<string, { page: AppPage; title: string }> = Object.fromEntries(
  (Object.keys(APP_PAGES) as AppPage[]).map((page) => [page, { page, title: APP_PAGES[page].title }]),
);

export function forgeIndexHtml(title: string, withCss: boolean): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title.replace(/[<>&"]/g, "")}</title>`,
    withCss ? '<link rel="stylesheet" href="./main.css">' : "",
    "</head>",
    "<body>",
    '<div id="root"></div>',
    '<script src="./main.js"></script>',
    "</body>",
    "</html>",
  ]
    .filter(Boolean)
    .join("\n");
}

/** Builds one resource folder; throws when its page does not exist. */
export async function buildForgeResource(folder: string, outRoot = FORGE_OUT_DIR): Promise<string> {
  const spec = FORGE_RESOURCES[folder];
  if (!spec) throw new Error(`unknown Forge resource ${folder}`);
  const pageFile = path.join(PAGES_DIR, `${spec.page}.tsx`);
  if (!fs.existsSync(pageFile)) throw new Error(`page ${spec.page} (${pageFile}) does not exist`);
  const outdir = path.join(outRoot, folder);
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const boot = path.join(UI_ROOT, "lib", "forge-boot");
  const contents = [
    `import { bootForgePage } from ${JSON.stringify(boot)};`,
    `void bootForgePage(${JSON.stringify(spec.page)}, () => import(${JSON.stringify(pageFile)}));`,
  ].join("\n");
  const base = buildOptions({}, outdir);
  await build({
    ...base,
    entryPoints: undefined,
    stdin: { contents, resolveDir: UI_ROOT, sourcefile: `forge-${folder}.ts`, loader: "ts" },
    outdir: undefined,
    outfile: path.join(outdir, "main.js"),
  });
  const withCss = fs.existsSync(path.join(outdir, "main.css"));
  fs.writeFileSync(path.join(outdir, "index.html"), forgeIndexHtml(spec.title, withCss));
  return outdir;
}

/** Builds every resource whose page exists; returns the folders built and the ones skipped. */
export async function buildForgeUi(outRoot = FORGE_OUT_DIR): Promise<{ built: string[]; missing: string[] }> {
  const built: string[] = [];
  const missing: string[] = [];
  for (const [folder, spec] of Object.entries(FORGE_RESOURCES)) {
    if (!fs.existsSync(path.join(PAGES_DIR, `${spec.page}.tsx`))) {
      missing.push(folder);
      continue;
    }
    await buildForgeResource(folder, outRoot);
    built.push(folder);
  }
  return { built, missing };
}

if (require.main === module) {
  buildForgeUi()
    .then(({ built, missing }) => {
      process.stdout.write(`built Forge resources: ${built.join(", ") || "none"}${missing.length ? `; missing pages: ${missing.join(", ")}` : ""}\n`);
      if (missing.length) process.exit(1);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
