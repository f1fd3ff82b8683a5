import { createHash } from "node:crypto";
import { Router, type Request } from "express";
import type { Services } from "../core/services";
import { isBitbucketEventKey, parseBitbucketEvent } from "../bitbucket/events";
import { ingest } from "../pipeline/ingest";
import { sendError } from "../web/errors";
import { aceAuth, connectTokenOf } from "./ace-auth";
import type { AceAddon } from "./addon";

/** Descriptor URL of an event's webhook: one URL per event (ACE reports shared URLs under the first name). */
export function webhookPath(eventKey: string): string {
  const [family, name] = eventKey.split(":");
  return `/connect/webhooks/${family}/${name}`;
}

/**
 * Bitbucket webhooks of Connect installs: JWT verified (ACE, answered 401 on failure) → payload
 * validated → stored with X-Request-UUID as idempotency key → 204. Mounted before ACE's own webhook
 * routes, which would acknowledge before anything is stored.
 */
export function webhookRouter(services: Services, addon: AceAddon): Router {
  const router = Router();
  const authenticate = aceAuth(addon.authenticateWebhook ? addon.authenticateWebhook() : addon.authenticate());

  router.post("/webhooks/:family/:name", (req, res, next) => {
    const eventKey = `${req.params.family}:${req.params.name}`;
    if (!isBitbucketEventKey(eventKey)) return sendError(res, 400, `unknown event ${eventKey}`);
    const header = req.get("x-event-key");
    if (header && header !== eventKey) return sendError(res, 400, `X-Event-Key ${header} does not match ${eventKey}`);
    authenticate(req, res, async () => {
      try {
        const clientKey = (req as Request & { context?: { clientKey?: string } }).context?.clientKey;
        const installation = clientKey ? await services.installations.findByClientKey("connect", clientKey) : null;
        if (!installation) return sendError(res, 401, "unknown client");
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
          token: connectTokenOf(req),
        });
        if (result.replay) return sendError(res, 401, "replayed token");
        res.status(result.duplicate ? 200 : 204).end();
      } catch (err) {
        next(err);
      }
    });
  });

  return router;
}
