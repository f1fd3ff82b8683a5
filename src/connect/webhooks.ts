import { createHash } from "node:crypto";
import { Router, type NextFunction, type Request, type Response } from "express";
import type { Services } from "../core/services";
import { isBitbucketEventKey, parseBitbucketEvent } from "../bitbucket/events";
import { acceptDelivery, refuse } from "../web/accept-delivery";
import { sendError } from "../web/errors";
import { aceAuth, connectTokenOf } from "./ace-auth";
import type { AceAddon } from "./addon";

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
 * Bitbucket webhooks of Connect installs, through the shared `acceptDelivery`: JWT verified (ACE,
 * answered 401 on failure) → payload validated → workspace checked → stored with X-Request-UUID as
 * idempotency key (the JWT kept for replay detection) → 204. Mounted before ACE's own webhook routes,
 * which would acknowledge before anything is stored.
 */
export function webhookRouter(services: Services, addon: AceAddon): Router {
  const router = Router();
  const authenticate = aceAuth(addon.authenticateWebhook ? addon.authenticateWebhook() : addon.authenticate());
  const receive = acceptDelivery(services, {
    source: "bitbucket",
    async verify(req) {
      const clientKey = (req as Request & { context?: { clientKey?: string } }).context?.clientKey;
      const installation = clientKey ? await services.installations.findByClientKey("connect", clientKey) : null;
      return installation ? { installation } : refuse(401, "unknown client");
    },
    parse(req) {
      const eventKey = eventKeyOf(req);
      if (!isBitbucketEventKey(eventKey)) return refuse(400, `unknown event ${eventKey}`);
      const parsed = parseBitbucketEvent(eventKey, req.body);
      if (!parsed.ok) return refuse(400, parsed.reason);
      const repo = parsed.payload.repository;
      return {
        eventKey,
        payload: parsed.payload,
        idempotencyKey: req.get("x-request-uuid") ?? `sha256:${createHash("sha256").update(JSON.stringify(req.body)).digest("hex")}`,
        repository: { uuid: repo.uuid, fullName: repo.full_name },
        token: connectTokenOf(req),
      };
    },
    scope(delivery, { installation }) {
      const ws = delivery.payload.repository.workspace?.uuid;
      return ws && ws !== installation.workspaceUuid ? refuse(403, "repository is outside this installation's workspace") : null;
    },
  });
  router.post("/webhooks/:family/:name", checkEventKey, authenticate, receive);
  return router;
}
