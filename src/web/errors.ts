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
