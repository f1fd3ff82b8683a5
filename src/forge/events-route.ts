import { createHash } from "node:crypto";
import { Router } from "express";
import type { Services } from "../core/services";
import { acceptDelivery, refuse } from "../web/accept-delivery";
import { forgeInvocationOf } from "./fit-auth";
import { bracedUuid } from "./fit-claims";
import { parseForgeEvent } from "./product-events";

/** Forge documents no delivery id: a redelivery carries the same event, so its digest is the key. */
function idempotencyKeyOf(event: unknown): string {
  return `sha256:${createHash("sha256").update(JSON.stringify(event)).digest("hex")}`;
}

/**
 * `POST /forge/events` (endpoint `relay-events`): Forge product events, through the shared
 * `acceptDelivery`. FIT verified (mounted behind `fitAuth`) → event validated → workspace checked
 * against the installation → stored as an `avi:bitbucket:*` delivery whose translate job completes it
 * into the webhook event → 204 within Forge's 5 s budget. A duplicate answers 200 and is not processed again.
 */
export function eventsRouter(services: Services): Router {
  const router = Router();
  router.post(
    "/",
    acceptDelivery(services, {
      source: "forge",
      verify: (_req, res) => ({ installation: forgeInvocationOf(res).installation }),
      parse(req) {
        const parsed = parseForgeEvent(req.body);
        if (!parsed.ok) return refuse(400, parsed.reason);
        const ev = parsed.event;
        return {
          eventKey: ev.eventType,
          payload: ev,
          idempotencyKey: idempotencyKeyOf(ev),
          repository: { uuid: bracedUuid(ev.repository.uuid), fullName: null },
        };
      },
      scope: ({ payload }, { installation }) =>
        bracedUuid(payload.workspace.uuid) !== installation.workspaceUuid ? refuse(401, "this invocation token was not issued for the event's workspace") : null,
    }),
  );
  return router;
}
