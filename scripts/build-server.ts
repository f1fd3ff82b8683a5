import fs from "node:fs";
import path from "node:path";
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";

/**
 * Compiles the server for production: `src/main.ts` → `dist/server.js` (one CommonJS file, Node 20),
 * the migrations included (`migrationFilesPlugin`), started by `dist/main.js` (scripts/dist-main.ts:
 * V8's code cache). The plain-JS packages start-up needs are
 * bundled into `dist/server.js`: Node then reads one file instead of resolving, reading and compiling
 * ~1,700 (most of the former start-up time). `EXTERNAL_PACKAGES` and the lazy packages stay in
 * `node_modules` and are loaded from there at run time, so only `dependencies` are needed (proved
 * by test/build/production-runtime.test.ts). Types are checked by `npm run typecheck`, not here.
 */
export const ROOT = path.resolve(__dirname, "..");
export const DIST_DIR = path.join(ROOT, "dist");
const MIGRATIONS_DIR = path.join(ROOT, "src", "db", "migrations");

const MIGRATION_FILES_MODULE = path.join(ROOT, "src", "db", "migration-files.ts");

/**
 * Replaces src/db/migration-files.ts (which lists `src/db/migrations/` at run time) with a module
 * that requires each migration file, so that they are bundled: same names (`0001-core.ts`, as
 * `schema_migrations` records them), same order, each evaluated only when it runs.
 */
export function migrationFilesPlugin(): Plugin {
  return {
    name: "migration-files",
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]db[\\/]migration-files\.ts$/ }, (args) => {
        if (path.resolve(args.path) !== MIGRATION_FILES_MODULE) return undefined;
        const names = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort();
        const entries = names.map((n) => `  { name: ${JSON.stringify(n)}, load: () => require(${JSON.stringify(`./migrations/${n}`)}) },`);
        return { contents: `export function migrationFiles() {\n  return [\n${entries.join("\n")}\n  ];\n}\n`, loader: "ts", resolveDir: path.dirname(MIGRATION_FILES_MODULE) };
      });
    },
  };
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
  // atlassian-connect-express's outgoing HTTP (host requests, OAuth 2, registration): the app makes
  // its own calls through services.http and turns registration off, so these never load.
  "request",
  "rsvp",
  "inquirer",
  // …and its descriptor validation, which the app turns off (validateDescriptor: false).
  "atlassian-connect-validator",
  // Sequelize's time zone support (it unpacks every zone at load): used for DATE values with a time
  // zone and PostgreSQL's `timezone` option; the app stores epoch milliseconds.
  "moment-timezone",
];

/**
 * Packages left in `node_modules` although start-up loads them: the SQLite driver (a native addon,
 * found by `bindings` relative to its own files).
 */
export const EXTERNAL_PACKAGES = ["sqlite3"];

/**
 * Files inside bundled packages that load on first use instead of at start-up, by the specifier
 * their importer uses → the module loaded from `node_modules` then. umzug's `./cli` is its command
 * line (@rushstack/ts-command-line, rxjs, inquirer: ~600 files), which the app never runs; pino's
 * `./lib/transport` starts worker threads from files beside its sources (the app logs to a stream).
 */
export const LAZY_FILES: ReadonlyArray<{ importer: RegExp; request: string; module: string }> = [
  { importer: /[\\/]node_modules[\\/]umzug[\\/]lib[\\/](index|umzug)\.js$/, request: "./cli", module: "umzug/lib/cli" },
  { importer: /[\\/]node_modules[\\/]pino[\\/]pino\.js$/, request: "./lib/transport", module: "pino/lib/transport" },
];

/**
 * Replaces `require("<pkg>")` of each lazy package (and each of `files`) with a stand-in: reading
 * any property, or calling it, loads the real module (once) from `node_modules` and uses it there.
 * Its export names and `__esModule` flag are taken from the installed package at build time, so
 * that esbuild's interop helpers (default and namespace imports) see the same keys without loading it.
 */
export function lazyPackagesPlugin(names: readonly string[] = LAZY_PACKAGES, files: typeof LAZY_FILES = LAZY_FILES): Plugin {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|")})$`);
  return {
    name: "lazy-packages",
    setup(b) {
      b.onResolve({ filter: /.*/, namespace: "lazy-package" }, (args) => ({ path: args.path, external: true }));
      b.onResolve({ filter }, (args) => {
        // The stand-in loads the package from the top of node_modules (as `node dist/main.js` resolves
        // it). A bundled importer with its own nested copy (ACE's jose 4) would get another version
        // from there: that copy is bundled instead.
        const fromImporter = require.resolve(args.path, { paths: [args.resolveDir || ROOT] });
        if (fromImporter !== require.resolve(args.path, { paths: [ROOT] })) return undefined;
        return { path: args.path, namespace: "lazy-package" };
      });
      for (const f of files) {
        const exact = new RegExp(`^${f.request.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`);
        b.onResolve({ filter: exact }, (args) => (f.importer.test(args.importer) ? { path: f.module, namespace: "lazy-package" } : undefined));
      }
      b.onLoad({ filter: /.*/, namespace: "lazy-package" }, (args) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const real = require(require.resolve(args.path, { paths: [ROOT] })) as Record<string, unknown>;
        const keys = Object.keys(real).filter((k) => k !== "__esModule");
        const esModule = real.__esModule === true;
        const contents = [
          `let loaded;`,
          `const load = () => (loaded ??= require(${JSON.stringify(args.path)}));`,
          `const keys = ${JSON.stringify(keys)};`,
          // An arrow function as the target, so that a package which is itself a function (request) can be called.
          `module.exports = new Proxy(() => undefined, {`,
          `  apply: (_, self, args) => Reflect.apply(load(), self, args),`,
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

/**
 * Escapes the non-ASCII characters of bundled package files (`\uXXXX`, UTF-16 code units) where
 * esbuild's `charset: "ascii"` leaves them (regular expression literals, e.g. validator's alphabets):
 * one such character makes Node decode the whole bundle into a two-byte string (twice the memory
 * for as long as the process runs, slower to read and compile). `\uXXXX` means the same character
 * in a string, a template, an identifier and a regular expression (with or without the `u` flag).
 */
export function asciiSourcesPlugin(): Plugin {
  return {
    name: "ascii-sources",
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, (args) => {
        const source = fs.readFileSync(args.path, "utf8");
        // eslint-disable-next-line no-control-regex
        if (!/[^\x00-\x7f]/.test(source)) return undefined;
        // eslint-disable-next-line no-control-regex
        const contents = source.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
        return { contents, loader: "js" };
      });
    },
  };
}

export function serverBuildOptions(outdir = DIST_DIR): BuildOptions & { metafile: true } {
  return {
    // dist/server.js is the app; dist/main.js runs it with V8's code cache (scripts/dist-main.ts).
    entryPoints: { server: path.join(ROOT, "src", "main.ts"), main: path.join(ROOT, "scripts", "dist-main.ts") },
    outdir,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: EXTERNAL_PACKAGES,
    plugins: [lazyPackagesPlugin(), migrationFilesPlugin(), asciiSourcesPlugin()],
    // Class and function names stay as written (logs, error names, Sequelize model names).
    keepNames: true,
    // Comments and whitespace out, identifiers kept (stack traces stay readable; the source map maps
    // them back): less to read and parse at start-up, and the file stays ASCII (a file with one
    // non-ASCII comment is decoded into a two-byte string: twice the memory, slower to compile).
    minifyWhitespace: true,
    minifySyntax: true,
    charset: "ascii",
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
