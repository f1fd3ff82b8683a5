import { createHash } from "node:crypto";
import { Router, type Response } from "express";
import type { Services } from "../../core/services";
import type { InstallationView } from "../../core/installations";
import type { IngestResult } from "../../pipeline/ingest";
import { acceptDelivery, refuse, type DeliveryReceiver, type ParsedDelivery, type VerifiedSender } from "../../web/accept-delivery";
import { rawBodyOf } from "../../web/raw-body";
import type { BuildkiteBuild } from "./build-event";
import { API_KEY_HEADER, WEBHOOK_TOKEN_SECRET, matchApiKey, previousApiKey } from "./credentials";
import {
  EVENTBRIDGE_BUILD_DETAIL_TYPES,
  EventBridgeEnvelopeSchema,
  WEBHOOK_BUILD_EVENTS,
  buildFromEventBridge,
  buildFromWebhook,
} from "./payloads";
import { verifyBuildkiteWebhook } from "./webhook-signature";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function installationOf(services: Services, id: string): Promise<InstallationView | null> {
  return UUID.test(id) ? services.installations.get(id) : null;
}

/** Build events are stored and acknowledged with 202 `{accepted, deliveryId, duplicate}`; 503 (retried by the sender) only if storing failed. */
function answer(res: Response, result: IngestResult): void {
  res.status(202).json({ accepted: true, deliveryId: result.deliveryId, duplicate: result.duplicate });
}

function buildDelivery(build: BuildkiteBuild): ParsedDelivery<BuildkiteBuild> {
  return { eventKey: "buildkite:build", payload: build, idempotencyKey: build.eventId, repository: null };
}

/**
 * POST /inbound/buildkite/eventbridge/:installationId: an EventBridge API destination delivering a
 * Buildkite partner event. Authenticated by the installation's API key in `X-Relay-Api-Key` (the
 * Connection's API_KEY authorization), or the previous key during its grace period after a rotation
 * (logged, so that an admin sees the Connection still has the old key). EventBridge retries 429/5xx only, so: 401/400 for requests
 * that will never work, 2xx for accepted, duplicate or irrelevant events, 503 when storing failed.
 */
function eventBridgeReceiver(services: Services): DeliveryReceiver<VerifiedSender, BuildkiteBuild> {
  return {
    source: "eventbridge",
    storeFailure: "retry-later",
    answer,
    async verify(req) {
      const installation = await installationOf(services, String(req.params.installationId));
      const matched = installation ? await matchApiKey(services, installation.id, req.get(API_KEY_HEADER)) : null;
      if (!installation || !matched) {
        services.log.warn({ installationId: req.params.installationId }, "EventBridge delivery with a wrong API key refused");
        return refuse(401, "invalid API key");
      }
      if (matched === "previous") {
        const until = (await previousApiKey(services, installation.id))?.until;
        services.log.info(
          { installationId: installation.id, graceUntil: until ? new Date(until).toISOString() : undefined },
          "EventBridge delivery with the previous API key accepted (grace period): update the EventBridge connection",
        );
      }
      return { installation };
    },
    parse(req) {
      const envelope = EventBridgeEnvelopeSchema.safeParse(req.body);
      if (!envelope.success) return refuse(400, "not an EventBridge event");
      if (!envelope.data.source.startsWith("aws.partner/buildkite.com/")) return refuse(400, "not a Buildkite partner event");
      const detailType = envelope.data["detail-type"];
      if (!(EVENTBRIDGE_BUILD_DETAIL_TYPES as readonly string[]).includes(detailType)) {
        return { ignore: `detail-type "${detailType}" is not a build event` };
      }
      const build = buildFromEventBridge(envelope.data, Date.now());
      return build.ok ? buildDelivery(build.value) : refuse(400, build.reason);
    },
  };
}

interface SignedSender extends VerifiedSender {
  rawBody: Buffer;
  /** The signature's timestamp (epoch ms), null for the plain token. */
  timestampMs: number | null;
}

/**
 * POST /inbound/buildkite/webhook/:installationId: a Buildkite webhook, signed
 * (`X-Buildkite-Signature`, HMAC over the raw body with the shared `checkHmac`, 5-minute window) or
 * with `X-Buildkite-Token`.
 */
function webhookReceiver(services: Services): DeliveryReceiver<SignedSender, BuildkiteBuild> {
  return {
    source: "buildkite",
    storeFailure: "retry-later",
    answer,
    async verify(req) {
      const installation = await installationOf(services, String(req.params.installationId));
      const token = installation ? await services.installations.secret(installation.id, WEBHOOK_TOKEN_SECRET) : undefined;
      const rawBody = rawBodyOf(req);
      if (!installation || !token) return refuse(401, "invalid webhook token");
      if (!rawBody) return refuse(400, "expected a JSON body");
      const verdict = verifyBuildkiteWebhook(
        { signature: req.get("x-buildkite-signature") ?? undefined, token: req.get("x-buildkite-token") ?? undefined },
        rawBody,
        [token],
      );
      if (!verdict.ok) {
        services.log.warn({ installationId: installation.id, reason: verdict.reason }, "Buildkite webhook refused");
        return refuse(401, verdict.reason);
      }
      return { installation, rawBody, timestampMs: verdict.timestampMs };
    },
    parse(req, sender) {
      const body = req.body as { event?: unknown };
      const event = req.get("x-buildkite-event") ?? (typeof body?.event === "string" ? body.event : "");
      if (event === "ping") return { ignore: "ping", status: 200, body: { ok: true } };
      if (!(WEBHOOK_BUILD_EVENTS as readonly string[]).includes(event)) return { ignore: `event "${event}" is not a build event` };
      const eventId = createHash("sha256").update(sender.rawBody).digest("hex");
      const build = buildFromWebhook(req.body, eventId, sender.timestampMs ?? Date.now());
      return build.ok ? buildDelivery(build.value) : refuse(400, build.reason);
    },
  };
}

export function buildkiteInboundRoutes(services: Services): Router {
  const router = Router();
  router.post("/buildkite/eventbridge/:installationId", acceptDelivery(services, eventBridgeReceiver(services)));
  router.post("/buildkite/webhook/:installationId", acceptDelivery(services, webhookReceiver(services)));
  return router;
}
