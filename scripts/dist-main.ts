/**
 * `dist/main.js`, the compiled server's entry: runs the bundle (`dist/server.js`, built from
 * src/main.ts) with V8's code cache, the Node 20 counterpart of Node 22's `module.enableCompileCache()`.
 *
 * Compiling the 5 MB bundle is about a quarter of start-up. V8 can serialise the code it compiled
 * (`vm.Script#createCachedData`) and take it back at the next compile (`cachedData`), skipping the
 * parse and compile of every function start-up ran. The cache is written once the server listens
 * (the app emits `relay:listening`, so it holds the functions start-up compiled) to
 * `dist/.compile-cache/`, named by the bundle's content hash, the Node version and the V8 flags: V8
 * checks only the source's length, its version and flags, so a rebuilt bundle must never meet an
 * old cache. V8 rejects a cache it cannot use (`cachedDataRejected`): the bundle is then compiled as
 * usual and the cache written again. A read-only `dist/` only means no cache.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import Module from "node:module";
import path from "node:path";
import vm from "node:vm";

const SERVER = path.join(__dirname, "server.js");
const CACHE_DIR = path.join(__dirname, ".compile-cache");

function cacheFile(source: string): string {
  const key = createHash("sha256").update(source).update("\0").update(process.version).update("\0").update(process.execArgv.join(" ")).digest("hex").slice(0, 32);
  return path.join(CACHE_DIR, `server-${key}.bin`);
}

function readCache(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache beside the bundle (a temporary file renamed into place: a concurrent start-up reads a whole one or none). */
function writeCache(file: string, script: vm.Script): void {
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, file);
  } catch {
    // A read-only or full disk: the server runs the same without a cache.
  }
}

function run(): void {
  const source = fs.readFileSync(SERVER, "utf8");
  const file = cacheFile(source);
  const cachedData = readCache(file);
  const script = new vm.Script(Module.wrap(source), { filename: SERVER, cachedData });
  if (!cachedData || script.cachedDataRejected) (process as NodeJS.EventEmitter).once("relay:listening", () => writeCache(file, script));
  const mod = new Module(SERVER, module);
  mod.filename = SERVER;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(__dirname);
  const require = Module.createRequire(SERVER);
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(mod.exports, mod.exports, require, mod, SERVER, __dirname);
}

run();
