import fs from "node:fs";
import path from "node:path";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { sendError } from "./errors";

/** The file `ui/build.ts` writes into `static/build/`: which files each page loads. */
export const ASSET_MANIFEST = "manifest.json";

/** One page's files, relative to `static/build/`. */
export interface PageAssets {
  /** The page's ES module entry (`review-radar-5XQ2K7ZB.js`). */
  script: string;
  /** Chunks the entry imports statically, at any depth: fetched at once with `<link rel="modulepreload">`. */
  preload: string[];
  css: string | null;
}

export interface AssetManifest {
  pages: Record<string, PageAssets>;
}

/** A year, in seconds: the longest `max-age` caches honour (RFC 9111 §5.2.2.1; `immutable`: RFC 8246). */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** esbuild's `[hash]`: 8 characters of base32 before the extension. */
const HASHED = /-[A-Z0-9]{8}\.(js|css|svg|png|woff2?)$/;
const PRECOMPRESSED = /\.(js|css|svg)$/;
const ENCODINGS = { br: ".br", gzip: ".gz" } as const;

let cached: { file: string; mtimeMs: number; manifest: AssetManifest } | null = null;

/** The manifest of `staticDir/build`, re-read when the build rewrote it; null when the pages are not built. */
export function readAssetManifest(staticDir: string): AssetManifest | null {
  const file = path.join(staticDir, "build", ASSET_MANIFEST);
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
  if (cached?.file !== file || cached.mtimeMs !== mtimeMs) cached = { file, mtimeMs, manifest: JSON.parse(fs.readFileSync(file, "utf8")) as AssetManifest };
  return cached.manifest;
}

/**
 * URLs of a page's files for the page shell (`/static/build/<hashed name>`). Before `npm run build:ui`
 * ran, the unhashed name, which answers 404 — the page then says nothing rather than the server failing.
 */
export function pageAssets(page: string, staticDir: string): PageAssets {
  const url = (f: string) => `/static/build/${f.split("/").map(encodeURIComponent).join("/")}`;
  const found = readAssetManifest(staticDir)?.pages[page];
  if (!found) return { script: url(`${page}.js`), preload: [], css: null };
  return { script: url(found.script), preload: found.preload.map(url), css: found.css ? url(found.css) : null };
}

/**
 * Picks the precompressed twin (`.br`, else `.gz`) of a JS/CSS file when the browser accepts it and
 * the build wrote it, by rewriting the URL that `express.static` then serves.
 */
function precompressed(buildDir: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || !PRECOMPRESSED.test(req.path)) return next();
    res.vary("Accept-Encoding");
    const accepted = req.acceptsEncodings("br", "gzip", "identity");
    const suffix = accepted === "br" || accepted === "gzip" ? ENCODINGS[accepted] : null;
    if (!suffix) return next();
    const file = path.join(buildDir, path.normalize(decodeURIComponent(req.path)));
    if (file.startsWith(buildDir + path.sep) && fs.existsSync(file + suffix)) {
      req.url = req.url.replace(/^([^?]*)/, `$1${suffix}`);
      res.locals.contentEncoding = accepted;
    }
    next();
  };
}

/** Content types by the file's real extension (a `.js.br` file is JavaScript, sent brotli-encoded). */
const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * Serves `staticDir` at `/static`: page bundles under `/static/build/` by their content-hashed names
 * only, cached for a year as `immutable` and sent brotli/gzip-compressed when the browser accepts it;
 * the rest of `static/` for 5 minutes. Anything else (the manifest, unhashed names) is a JSON 404.
 */
export function mountStaticAssets(app: Express, staticDir: string): void {
  const buildDir = path.join(staticDir, "build");
  app.use(
    "/static/build",
    (req, res, next) => (HASHED.test(req.path) ? next() : sendError(res, 404, "not found")),
    precompressed(buildDir),
    express.static(buildDir, {
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (res, file) => {
        res.setHeader("cache-control", IMMUTABLE);
        res.setHeader("x-content-type-options", "nosniff");
        const encoding = (res as Response).locals.contentEncoding as keyof typeof ENCODINGS | undefined;
        const original = encoding ? file.slice(0, file.length - ENCODINGS[encoding].length) : file;
        const type = TYPES[path.extname(original)];
        if (type) res.setHeader("content-type", type);
        if (encoding) res.setHeader("content-encoding", encoding);
      },
    }),
  );
  app.use("/static", express.static(staticDir, { index: false, maxAge: "5m", redirect: false }));
  app.use("/static", (_req, res) => sendError(res, 404, "not found"));
}
