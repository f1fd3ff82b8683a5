import * as jwt from "atlassian-jwt";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { sendError } from "../web/errors";

/** The JWT of a Connect request: `Authorization: JWT …` or the iframe's `?jwt=`. */
export function connectTokenOf(req: Request): string | undefined {
  const header = req.get("authorization");
  if (header?.startsWith("JWT ")) return header.slice(4).trim();
  const q = req.query.jwt;
  return typeof q === "string" ? q : undefined;
}

/**
 * Runs one of ACE's authentication middlewares and answers every failure with 401 and a short
 * reason (ACE says 400 for a bad signature and can hang on some paths). Also refuses what ACE lets
 * through: tokens without an expiry, and algorithms other than HS256.
 */
export function aceAuth(inner: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = connectTokenOf(req);
    if (!token) return sendError(res, 401, "missing JWT");
    try {
      const [head] = token.split(".");
      const header = JSON.parse(Buffer.from(head ?? "", "base64url").toString("utf8")) as { alg?: string };
      if (header.alg !== "HS256") return sendError(res, 401, "unsupported JWT algorithm");
      const claims = jwt.decodeSymmetric(token, "", jwt.SymmetricAlgorithm.HS256, true) as { exp?: unknown };
      if (typeof claims.exp !== "number") return sendError(res, 401, "JWT has no expiry");
    } catch {
      return sendError(res, 401, "malformed JWT");
    }
    let settled = false;
    inner(req, res, (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (!err) return next();
      const e = err as { code?: number; message?: string };
      const status = e.code && e.code >= 500 ? 500 : 401;
      sendError(res, status, status === 401 ? `authentication failed: ${e.message ?? "invalid JWT"}` : "authentication unavailable");
    });
  };
}
