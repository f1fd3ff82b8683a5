import express, { type Express } from "express";
import { sendError } from "../errors";
import { STATIC_DIR } from "./page-shell";

/** Serves `static/` (the built page bundles) at `/static`; anything else there is a plain 404. */
export function mountStatic(app: Express): void {
  app.use("/static", express.static(STATIC_DIR, { index: false, maxAge: "5m", redirect: false }));
  app.use("/static", (_req, res) => sendError(res, 404, "not found"));
}
