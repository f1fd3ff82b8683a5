import { Router } from "express";
import type { Config } from "../config/config";
import { entryPoints } from "./entry-points";
import { escapeHtml } from "./pages/page-shell";

/** Headers of `GET /`: nothing to run, frame, cache or leak (no script, no styles, no referrer). */
export const ROOT_HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/**
 * `GET /`: says the app is running and where it is entered (`entryPoints`: Connect descriptor, Forge
 * app id, `/datacenter` when configured, `/healthz`). HTML for a browser, else JSON
 * `{app, status:"running", entryPoints}`. Reads `config` per request (tests set baseUrl after listen).
 * Nothing secret: URLs under BASE_URL and the public Forge app id only.
 */
export function rootRouter(config: Config): Router {
  const router = Router();
  router.get("/", (req, res) => {
    const e = entryPoints(config);
    res.set(ROOT_HEADERS);
    if (req.accepts(["json", "html"]) !== "html") {
      res.json({ app: "Bitbucket Relay", status: "running", entryPoints: e });
      return;
    }
    const link = (url: string) => `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
    const items = [
      `<li>Bitbucket Cloud (Connect) descriptor: ${link(e.connectDescriptor)}</li>`,
      e.forgeAppId ? `<li>Forge app: ${escapeHtml(e.forgeAppId)}</li>` : "",
      e.dataCenter ? `<li>Bitbucket Data Center pages: ${link(e.dataCenter)}</li>` : "",
      `<li>Health: ${link(e.health)}</li>`,
    ].join("");
    res.type("html").send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bitbucket Relay</title></head><body><h1>Bitbucket Relay is running</h1><ul>${items}</ul></body></html>`);
  });
  return router;
}
