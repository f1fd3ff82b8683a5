import type { Express } from "express";
import { mountStaticAssets } from "../static-assets";
import { STATIC_DIR } from "./page-shell";

/** Serves `static/` at `/static` (hashed, compressed, long-cached page bundles: `src/web/static-assets.ts`). */
export function mountStatic(app: Express): void {
  mountStaticAssets(app, STATIC_DIR);
}
