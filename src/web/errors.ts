import type { ErrorRequestHandler, Response } from "express";
import type { Logger } from "../config/logger";

/** Every error answer has the same shape: `{ "error": "<short reason>" }` (+ details for validation). */
export function sendError(res: Response, status: number, reason: string, details?: unknown): void {
  if (res.headersSent) return;
  res.status(status).json(details === undefined ? { error: reason } : { error: reason, details });
}

/** Last handler: body-parser failures become 4xx with a short reason; anything else a 500 without a stack. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
    if (e?.type === "entity.too.large") return sendError(res, 413, "body too large");
    if (e?.type === "entity.parse.failed") return sendError(res, 400, "body is not valid JSON");
    if (e?.type === "encoding.unsupported" || e?.type === "charset.unsupported") return sendError(res, 415, "unsupported body encoding");
    const status = e?.status ?? e?.statusCode;
    if (status && status >= 400 && status < 500) return sendError(res, status, e.message ?? "bad request");
    log.error({ err }, "unhandled error");
    sendError(res, 500, "internal error");
  };
}

/**
 * For routes whose request names its subject in the authentication (uninstalls): a body the parser
 * could not read (malformed, too large, unknown charset) becomes `{}` instead of a 4xx.
 */
export const ignoreBodyErrors: ErrorRequestHandler = (err: unknown, req, _res, next) => {
  const e = err as { type?: unknown; status?: number };
  if (typeof e?.type !== "string" || !e.status || e.status >= 500) return next(err);
  req.body = {};
  next();
};
