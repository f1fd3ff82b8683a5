import { createHash } from "node:crypto";
import { Router } from "express";
import type { Services } from "../core/services";
import { ingest } from "../pipeline/ingest";
import { sendError } from "../web/errors";
import { forgeInvocationOf } from "./fit-auth";
import { bracedUuid } from "./fit-claims";
import { parseForgeEvent } from "./product-events";

/** Forge documents no delivery id: a redelivery carries the same event, so its digest is the key. */
function idempotencyKeyOf(event: unknown): string {
  return `sha256:${createHash("sha256").update(JSON.stringify(event)).digest("hex")}`;
}

/**
 * `POST /forge/events` (endpoint `relay-events`): Forge product events. FIT verified (mounted behind
 * `fitAuth`) → event validated → workspace checked against the installation → stored as an
 * `avi:bitbucket:*` delivery whose translate job completes it into the webhook event → 204 within
 * Forge's 5 s budget. A duplicate answers 200 and is not processed again.
 */
export function eventsRouter(services: Services): Router {
  const router = Router();
  router.post("/", async (req, res, next) => {
    try {
      const { installation } = forgeInvocationOf(res);
      const parsed = parseForgeEvent(req.body);
      if (!parsed.ok) return sendError(res, 400, parsed.reason);
      const ev = parsed.event;
      if (bracedUuid(ev.workspace.uuid) !== installation.workspaceUuid) {
        return sendError(res, 403, "event is for another workspace than this installation's");
      }
      const result = await ingest(services, {
        installationId: installation.id,
        source: "forge",
        eventKey: ev.eventType,
        idempotencyKey: idempotencyKeyOf(ev),
        repository: { uuid: bracedUuid(ev.repository.uuid), fullName: null },
        payload: ev,
      });
      res.status(result.duplicate ? 200 : 204).end();
    } catch (err) {
      next(err);
    }
  });
  return router;
}
