import { createHash } from "node:crypto";
import { Router, type NextFunction, type Request, type Response } from "express";
import type { Services } from "../core/services";
import { isBitbucketEventKey, parseBitbucketEvent } from "../bitbucket/events";
import { acceptDelivery, refuse } from "../web/accept-delivery";
import { sendError } from "../web/errors";
import { rawBodyOf } from "../web/raw-body";
import { verifyConnectJwt } from "./connect-jwt";

/** Descriptor URL of an event's webhook: one URL per event (ACE reports shared URLs under the first name). */
export function webhookPath(eventKey: string): string {
  const [family, name] = eventKey.split(":");
  return `/connect/webhooks/${family}/${name}`;
}

const eventKeyOf = (req: Request) => `${req.params.family}:${req.params.name}`;

/** The event key of the URL must be a Bitbucket event, and the same as `X-Event-Key` when sent (checked before authentication). */
function checkEventKey(req: Request, res: Response, next: NextFunction): void {
  const eventKey = eventKeyOf(req);
  if (!isBitbucketEventKey(eventKey)) return sendError(res, 400, `unknown event ${eventKey}`);
  const header = req.get("x-event-key");
  if (header && header !== eventKey) return sendError(res, 400, `X-Event-Key ${header} does not match ${eventKey}`);
  next();
}

/**
 * The body as received when it is UTF-8 JSON text (what the JSON body parser parsed into `req.body`),
 * so that it is stored as is instead of serialized again; undefined for other encodings or a byte-order mark.
 */
function receivedJson(req: Request): string | undefined {
  const raw = rawBodyOf(req);
  if (!raw || raw[0] === 0xef || !/^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i.test(req.get("content-type") ?? "")) return undefined;
  return raw.toString("utf8");
}

/**
 * Bitbucket webhooks of Connect installs, through the shared `acceptDelivery`: JWT verified
 * (verifyConnectJwt: signature, expiry, qsh; 401 on failure; ACE's middleware is not on this path, it
 * minted a session token per request) → payload validated → workspace checked → stored with
 * X-Request-UUID as idempotency key, the body as received, the JWT kept for replay detection → 204.
 * Mounted before ACE's own webhook routes, which would acknowledge before anything is stored.
 */
export function webhookRouter(services: Services): Router {
  const router = Router();
  const receive = acceptDelivery(services, {
    source: "bitbucket",
    async verify(req) {
      const verdict = await verifyConnectJwt(services, req);
      return verdict.ok ? { installation: verdict.installation, token: verdict.token } : refuse(401, verdict.reason);
    },
    parse(req, sender) {
      const eventKey = eventKeyOf(req);
      if (!isBitbucketEventKey(eventKey)) return refuse(400, `unknown event ${eventKey}`);
      const parsed = parseBitbucketEvent(eventKey, req.body);
      if (!parsed.ok) return refuse(400, parsed.reason);
      const repo = parsed.payload.repository;
      return {
        eventKey,
        payload: parsed.payload,
        payloadJson: receivedJson(req),
        idempotencyKey: req.get("x-request-uuid") ?? `sha256:${createHash("sha256").update(JSON.stringify(req.body)).digest("hex")}`,
        repository: { uuid: repo.uuid, fullName: repo.full_name },
        token: sender.token,
      };
    },
    scope(delivery, { installation }) {
      const ws = delivery.payload.repository.workspace?.uuid;
      return ws && ws !== installation.workspaceUuid ? refuse(401, "this token was not issued for this repository's workspace") : null;
    },
  });
  router.post("/webhooks/:family/:name", checkEventKey, receive);
  return router;
}
