import { createHash } from "node:crypto";
import { Router, type Request } from "express";
import type { Services } from "../core/services";
import { isBitbucketEventKey, parseBitbucketEvent } from "../bitbucket/events";
import { ingest } from "../pipeline/ingest";
import { sendError } from "../web/errors";
import { verifyConnectJwt } from "./connect-jwt";

/** Descriptor URL of an event's webhook: one URL per event (ACE reports shared URLs under the first name). */
export function webhookPath(eventKey: string): string {
  const [family, name] = eventKey.split(":");
  return `/connect/webhooks/${family}/${name}`;
}

/**
 * The body as received when it is UTF-8 JSON text (what body-parser parsed into `req.body`), so that
 * it is stored as is instead of serialized again; undefined for other encodings or a byte-order mark.
 */
function receivedJson(req: Request): string | undefined {
  const raw = (req as Request & { rawBody?: Buffer }).rawBody;
  if (!raw || raw[0] === 0xef || !/^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i.test(req.get("content-type") ?? "")) return undefined;
  return raw.toString("utf8");
}

/**
 * Bitbucket webhooks of Connect installs: JWT verified (verifyConnectJwt: signature, expiry, qsh;
 * answered 401 on failure) → payload validated → stored with X-Request-UUID as idempotency key, the
 * body as received → 204. Mounted before ACE's own webhook routes, which would acknowledge before
 * anything is stored; ACE's middleware is not on this path (it minted a session token per request).
 */
export function webhookRouter(services: Services): Router {
  const router = Router();

  router.post("/webhooks/:family/:name", async (req, res, next) => {
    const eventKey = `${req.params.family}:${req.params.name}`;
    if (!isBitbucketEventKey(eventKey)) return sendError(res, 400, `unknown event ${eventKey}`);
    const header = req.get("x-event-key");
    if (header && header !== eventKey) return sendError(res, 400, `X-Event-Key ${header} does not match ${eventKey}`);
    try {
      const verdict = await verifyConnectJwt(services, req);
      if (!verdict.ok) return sendError(res, 401, verdict.reason);
      const { installation } = verdict;
      const parsed = parseBitbucketEvent(eventKey, req.body);
      if (!parsed.ok) return sendError(res, 400, parsed.reason);
      const repo = parsed.payload.repository;
      const ws = repo.workspace?.uuid;
      if (ws && ws !== installation.workspaceUuid) return sendError(res, 403, "repository is outside this installation's workspace");
      const idempotencyKey =
        req.get("x-request-uuid") ?? `sha256:${createHash("sha256").update(JSON.stringify(req.body)).digest("hex")}`;
      const result = await ingest(services, {
        installationId: installation.id,
        source: "bitbucket",
        eventKey,
        idempotencyKey,
        repository: { uuid: repo.uuid, fullName: repo.full_name },
        payload: parsed.payload,
        payloadJson: receivedJson(req),
        token: verdict.token,
      });
      if (result.replay) return sendError(res, 401, "replayed token");
      res.status(result.duplicate ? 200 : 204).end();
    } catch (err) {
      next(err);
    }
  });

  return router;
}
