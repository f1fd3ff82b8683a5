import fs from "node:fs";
import path from "node:path";
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";

/**
 * Compiles the server for production: `src/main.ts` → `dist/main.js` (one CommonJS file, Node 20),
 * and each migration → `dist/migrations/<name>.js` (umzug finds them beside the bundle, as it finds
 * the `.ts` files beside `src/db/database.ts` under tsx). npm packages stay external: `node
 * dist/main.js` loads them from `node_modules` at run time, so only `dependencies` are needed (proved
 * by test/build/production-runtime.test.ts). Types are checked by `npm run typecheck`, not here.
 */
export const ROOT = path.resolve(__dirname, "..");
export const DIST_DIR = path.join(ROOT, "dist");
const MIGRATIONS_DIR = path.join(ROOT, "src", "db", "migrations");

export function serverEntries(): Record<string, string> {
  const entries: Record<string, string> = { main: path.join(ROOT, "src", "main.ts") };
  for (const file of fs.readdirSync(MIGRATIONS_DIR).sort()) {
    if (file.endsWith(".ts") && !file.endsWith(".d.ts")) entries[`migrations/${file.slice(0, -3)}`] = path.join(MIGRATIONS_DIR, file);
  }
  return entries;
}

/**
 * Packages that only some jobs, routes or databases need (the AWS SDK clients, the Proton archive
 * tools, the Forge token verifier, the PostgreSQL driver): in the compiled server they load on first use of one of their
 * exports instead of at start-up, which keeps them out of an instance's memory until it needs them.
 * Under tsx (tests, `npm run bench` helpers) they load at import as usual; the behaviour is the same.
 */
export const LAZY_PACKAGES = [
  "@aws-sdk/client-eventbridge",
  "@aws-sdk/client-proton",
  "@aws-sdk/client-s3",
  "@aws-sdk/client-sts",
  "@aws-sdk/lib-storage",
  "@smithy/node-http-handler",
  "jose",
  "pg",
  "tar-stream",
  "yaml",
];

/**
 * Replaces `require("<pkg>")` of each lazy package with a stand-in object: reading any property
 * loads the real module (once) and reads it there. Its export names and `__esModule` flag are taken
 * from the installed package at build time, so that esbuild's interop helpers (default and namespace
 * imports) see the same keys without loading it.
 */
export function lazyPackagesPlugin(names: readonly string[] = LAZY_PACKAGES): Plugin {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|")})$`);
  return {
    name: "lazy-packages",
    setup(b) {
      b.onResolve({ filter }, (args) => (args.namespace === "lazy-package" ? { path: args.path, external: true } : { path: args.path, namespace: "lazy-package" }));
      b.onLoad({ filter: /.*/, namespace: "lazy-package" }, (args) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const real = require(require.resolve(args.path, { paths: [ROOT] })) as Record<string, unknown>;
        const keys = Object.keys(real).filter((k) => k !== "__esModule");
        const esModule = real.__esModule === true;
        const contents = [
          `let loaded;`,
          `const load = () => (loaded ??= require(${JSON.stringify(args.path)}));`,
          `const keys = ${JSON.stringify(keys)};`,
          `module.exports = new Proxy({}, {`,
          `  get: (_, key) => (key === "__esModule" ? ${esModule} : load()[key]),`,
          `  has: (_, key) => (key === "__esModule" ? ${esModule} : key in load()),`,
          `  ownKeys: () => keys,`,
          `  getOwnPropertyDescriptor: (_, key) => (keys.includes(key) ? { configurable: true, enumerable: true, writable: false, value: undefined } : undefined),`,
          `});`,
        ].join("\n");
        return { contents, loader: "js", resolveDir: ROOT };
      });
    },
  };
}

export function serverBuildOptions(outdir = DIST_DIR): BuildOptions & { metafile: true } {
  return {
    entryPoints: serverEntries(),
    outdir,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    plugins: [lazyPackagesPlugin()],
    // Class and function names stay as written (logs, error names, Sequelize model names).
    keepNames: true,
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  };
}

/** Builds the server into `outdir` (emptied first); returns esbuild's metafile (inputs, outputs, external imports). */
export async function buildServer(outdir = DIST_DIR): Promise<Metafile> {
  fs.rmSync(outdir, { recursive: true, force: true });
  const result = await build(serverBuildOptions(outdir));
  return result.metafile;
}
