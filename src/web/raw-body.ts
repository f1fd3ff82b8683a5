import express, { type Request, type RequestHandler } from "express";

const RAW_BODY = Symbol("relay.rawBody");
type WithRawBody = Request & { [RAW_BODY]?: Buffer };

/**
 * The one JSON body parser: `express.json` (limit in bytes) that also keeps the exact bytes received,
 * for signature checks over the raw body (`verifyHmac`). The bytes are the buffer body-parser read
 * anyway: no copy. Bodies of other content types are not read (and have no raw body).
 */
export function jsonBodyParser(limitBytes: number): RequestHandler {
  return express.json({
    limit: limitBytes,
    verify: (req, _res, buf) => {
      (req as WithRawBody)[RAW_BODY] = buf;
    },
  });
}

/** The raw bytes of a JSON request's body, or null when none was read (no body, another content type). */
export function rawBodyOf(req: Request): Buffer | null {
  return (req as WithRawBody)[RAW_BODY] ?? null;
}
