import fs from "node:fs";
import path from "node:path";
import type { Config } from "../../config/config";
import { BOOTSTRAP_ELEMENT_ID, type PageBootstrap } from "../../../ui/lib/bootstrap";
import { pageAssets } from "../static-assets";

/**
 * The app's root folder: the nearest folder above this module holding a package.json — the
 * repository root both under tsx (`src/web/pages/`) and compiled (`dist/main.js`).
 */
export function appRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** Where `npm run build:ui` writes the page bundles (served at `/static/build`). */
export const STATIC_DIR = path.join(appRoot(), "static");
export const CONNECT_ALL_JS = "https://bitbucket.org/atlassian-connect/all.js";

export interface PageShellOptions {
  /** Bundle name: `ui/pages/<page>.tsx` → its files in `static/build/manifest.json`. */
  page: string;
  title: string;
  config: Pick<Config, "connect">;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** JSON that is safe inside `<script type="application/json">` (no `</script>`, no HTML comments). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** The HTML of an iframe page: the React bundle mounts into `#root` and reads the bootstrap JSON. */
export function renderPageShell(bootstrap: PageBootstrap, opts: PageShellOptions): string {
  const assets = pageAssets(opts.page, STATIC_DIR);
  const allJs = opts.config.connect.loadAllJs
    ? `<script src="${CONNECT_ALL_JS}" data-options="sizeToParent:false"></script>`
    : "";
  const css = assets.css ? `<link rel="stylesheet" href="${escapeHtml(assets.css)}">` : "";
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(opts.title)}</title>`,
    css,
    ...assets.preload.map((src) => `<link rel="modulepreload" href="${escapeHtml(src)}">`),
    allJs,
    "</head>",
    "<body>",
    '<div id="root"></div>',
    `<script type="application/json" id="${BOOTSTRAP_ELEMENT_ID}">${scriptJson(bootstrap)}</script>`,
    `<script type="module" src="${escapeHtml(assets.script)}"></script>`,
    "</body>",
    "</html>",
  ]
    .filter(Boolean)
    .join("\n");
}

/** A CSP host source for a host glob of `CONNECT_ALLOWED_HOSTS` (`bitbucket.org`, `*.bitbucket.org`). */
function hostSource(host: string): string | null {
  return /^(\*\.)?[a-z0-9.-]+(:\d+)?$/i.test(host) ? `https://${host}` : null;
}

/**
 * The Content-Security-Policy of an iframe page. `frame-ancestors`: only the Bitbucket hosts allowed
 * to install the app (`CONNECT_ALLOWED_HOSTS`) may frame it, besides the app itself; `script-src`:
 * the app's own bundles and Connect's `all.js`; the bootstrap is a non-executable JSON script. Styles
 * allow inline (Atlaskit injects its CSS at run time); images may come from any HTTPS host (Bitbucket
 * and Gravatar avatars). Directives: https://www.w3.org/TR/CSP3/.
 */
export function pageContentSecurityPolicy(config: Pick<Config, "connect">): string {
  const ancestors = config.connect.allowedHosts.map(hostSource).filter((v): v is string => v !== null);
  return [
    "default-src 'none'",
    `script-src 'self' ${new URL(CONNECT_ALL_JS).origin}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors 'self' ${ancestors.join(" ")}`.trim(),
  ].join("; ");
}

/** Headers of an iframe page: never cached (the session token is in it), no referrer leaks, its CSP. */
export function pageHeaders(config: Pick<Config, "connect">): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "content-security-policy": pageContentSecurityPolicy(config),
  };
}
