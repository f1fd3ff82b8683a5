import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { build, type Metafile, type Plugin } from "esbuild";
import { buildOptions, PAGES_DIR, UI_ROOT } from "../build";
import { APP_PAGES, type AppPage } from "../../src/web/pages";

/**
 * Builds the Forge Custom UI resources (manifest.yml `resources`): for each, a folder with a static
 * `index.html`, its entry `main.js` = the Connect page (`ui/pages/<page>.tsx`, unchanged) started by
 * `ui/lib/forge-boot.ts` (Forge context → bootstrap, `invokeRemote` transport), as ES modules split
 * into chunks (`chunks/`) like the Connect pages (`ui/build.ts`): the page is its own chunk, fetched
 * by the boot's `import()`, and the chunks the first render needs are listed as `modulepreload`
 * links so that they download side by side. Everything is loaded by relative URL from the resource
 * folder itself and nothing is inline: the Custom UI CSP allows scripts from the resource's own
 * origin ('self'), which covers module scripts and their `import()`s of the same origin (shared/reference
 * has no statement on module scripts in Custom UI: UNVERIFIED on a deployed app, verified in headless
 * Chromium by test/browser/forge-pages.test.ts). `npx tsx ui/forge/build.ts`.
 */
export const FORGE_OUT_DIR = path.resolve(UI_ROOT, "..", "static", "forge");

/** Forge resource folder → the app page it serves (one resource per page, named after it). */
export const FORGE_RESOURCES: Record<string, { page: AppPage; title: string }> = Object.fromEntries(
  (Object.keys(APP_PAGES) as AppPage[]).map((page) => [page, { page, title: APP_PAGES[page].title }]),
);

/** `index.html` of a resource: its CSS, `modulepreload` links (paths relative to the folder), the entry as a module script. */
export function forgeIndexHtml(title: string, withCss: boolean, preload: string[] = []): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title.replace(/[<>&"]/g, "")}</title>`,
    withCss ? '<link rel="stylesheet" href="./main.css">' : "",
    ...preload.map((f) => `<link rel="modulepreload" href="./${f}">`),
    "</head>",
    "<body>",
    '<div id="root"></div>',
    '<script type="module" src="./main.js"></script>',
    "</body>",
    "</html>",
  ]
    .filter(Boolean)
    .join("\n");
}

/** The resource's entry, made in memory: boot, then the page by `import()` (its own chunk). */
function forgeEntry(page: string, pageFile: string): Plugin {
  return {
    name: "forge-entry",
    setup(b) {
      b.onResolve({ filter: /^forge-entry:/ }, (args) => ({ path: args.path, namespace: "forge-entry" }));
      b.onLoad({ filter: /.*/, namespace: "forge-entry" }, () => ({
        contents: [
          `import { bootForgePage } from ${JSON.stringify(path.join(UI_ROOT, "lib", "forge-boot"))};`,
          `void bootForgePage(${JSON.stringify(page)}, () => import(${JSON.stringify(pageFile)}));`,
        ].join("\n"),
        resolveDir: UI_ROOT,
        loader: "ts",
      }));
    },
  };
}

/**
 * The JavaScript files (relative to the resource folder) the first render needs besides `main.js`:
 * its static imports, the page's chunk (the boot's `import()`) and the page chunk's static imports,
 * transitively. Chunks the page itself imports lazily are not among them.
 */
export function firstRenderChunks(meta: Metafile, outdir: string, pageFile: string): string[] {
  const rel = (p: string) => path.relative(outdir, path.resolve(p)).split(path.sep).join("/");
  const outputs = Object.keys(meta.outputs);
  const main = outputs.find((o) => rel(o) === "main.js");
  const pageChunk = outputs.find((o) => meta.outputs[o]!.entryPoint && path.resolve(meta.outputs[o]!.entryPoint!) === path.resolve(pageFile));
  const seen = new Set<string>(main ? [main] : []);
  const out: string[] = [];
  const walk = (o: string) => {
    for (const imp of meta.outputs[o]?.imports ?? []) {
      if (imp.kind !== "import-statement" || imp.external || seen.has(imp.path)) continue;
      seen.add(imp.path);
      out.push(rel(imp.path));
      walk(imp.path);
    }
  };
  if (main) walk(main);
  if (pageChunk && !seen.has(pageChunk)) {
    seen.add(pageChunk);
    out.push(rel(pageChunk));
    walk(pageChunk);
  }
  return out;
}

/** JavaScript of a built resource folder, gzip-compressed (level 9), in bytes: what the first render loads, and all of it. */
export function forgeJsWeight(outdir: string): { firstRender: number; all: number } {
  const gz = (f: string) => zlib.gzipSync(fs.readFileSync(path.join(outdir, f)), { level: 9 }).length;
  const html = fs.readFileSync(path.join(outdir, "index.html"), "utf8");
  const first = ["main.js", ...[...html.matchAll(/rel="modulepreload" href="\.\/([^"]+)"/g)].map((m) => m[1]!)];
  const all = fs.readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
  return { firstRender: first.reduce((n, f) => n + gz(f), 0), all: all.reduce((n, f) => n + gz(f), 0) };
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
  const base = buildOptions({}, outdir);
  const result = await build({
    ...base,
    entryPoints: { main: `forge-entry:${folder}` },
    format: "esm",
    splitting: true,
    entryNames: "[name]",
    chunkNames: "chunks/[name]-[hash]",
    assetNames: "assets/[name]-[hash]",
    metafile: true,
    plugins: [...(base.plugins ?? []), forgeEntry(spec.page, pageFile)],
  });
  const withCss = fs.existsSync(path.join(outdir, "main.css"));
  fs.writeFileSync(path.join(outdir, "index.html"), forgeIndexHtml(spec.title, withCss, firstRenderChunks(result.metafile!, outdir, pageFile)));
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
