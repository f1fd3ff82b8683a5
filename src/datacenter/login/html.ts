import type { Response } from "express";
import { escapeHtml } from "../../web/pages/page-shell";

/**
 * The Content-Security-Policy of the pages the Data Center door serves itself: top-level pages, never
 * framed (`frame-ancestors 'none'`, no Connect `all.js`), scripts only from the app (the page
 * bundles; the bootstrap is a non-executable JSON script), forms only to the app. Styles allow inline
 * (Atlaskit injects its CSS at run time), images any HTTPS host (DC avatars).
 */
export const DC_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers of every DC door page: never cached (a CSRF token is in it), no referrer, its CSP. */
export function dcPageHeaders(): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "content-security-policy": DC_PAGE_CSP,
  };
}

const STYLE = `body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;margin:0;color:#172b4d;background:#fff}
header{display:flex;gap:1rem;align-items:center;justify-content:space-between;padding:.75rem 1.5rem;border-bottom:1px solid #dfe1e6}
main{padding:1.5rem;max-width:60rem}a{color:#0c66e4}button{font:inherit;padding:.25rem .75rem;cursor:pointer}
ul{padding-left:1.25rem}li{margin:.35rem 0}.muted{color:#44546f}`;

/** A page of the door's own (landing, picker, errors): header with the user and a logout form, then `body`. */
export function dcHtml(opts: { title: string; body: string; user?: { displayName: string; instance: string; csrfToken: string } | null }): string {
  const user = opts.user
    ? `<form method="post" action="/datacenter/logout"><span>${escapeHtml(opts.user.displayName)} · ${escapeHtml(opts.user.instance)}</span> <input type="hidden" name="csrf" value="${escapeHtml(opts.user.csrfToken)}"><button type="submit">Log out</button></form>`
    : "";
  return [
    "<!doctype html>",
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(opts.title)}</title><style>${STYLE}</style></head>`,
    `<body><header><p><a href="/datacenter">Bitbucket Relay</a> for Bitbucket Data Center</p>${user}</header>`,
    `<main><h1>${escapeHtml(opts.title)}</h1>${opts.body}</main></body></html>`,
  ].join("\n");
}

/** Sends one of the door's own pages. */
export function sendDcPage(res: Response, status: number, opts: Parameters<typeof dcHtml>[0]): void {
  res.status(status).set(dcPageHeaders()).send(dcHtml(opts));
}

/** An error page: a short reason and the way back to the landing page. */
export function sendDcError(res: Response, status: number, reason: string): void {
  sendDcPage(res, status, { title: status === 401 ? "Log in again" : "Cannot continue", body: `<p>${escapeHtml(reason)}</p><p><a href="/datacenter">Back to the log-in page</a></p>` });
}
