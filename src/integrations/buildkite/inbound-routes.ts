import { createHash } from "node:crypto";
import { Router, type Request, type Response } from "express";
import type { Services } from "../../core/services";
import type { InstallationView } from "../../core/installations";
import { ingest } from "../../pipeline/ingest";
import { sendError } from "../../web/errors";
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

/** Stores the build event and acknowledges; 503 (retried by the sender) only if it could not be stored. */
async function store(services: Services, res: Response, installation: InstallationView, source: "eventbridge" | "buildkite", build: BuildkiteBuild) {
  try {
    const result = await ingest(services, {
      installationId: installation.id,
      source,
      eventKey: "buildkite:build",
      idempotencyKey: build.eventId,
      repository: null,
      payload: build,
    });
    res.status(202).json({ accepted: true, deliveryId: result.deliveryId, duplicate: result.duplicate });
  } catch (err) {
    services.log.error({ err, installationId: installation.id, source }, "storing a Buildkite event failed");
    res.set("retry-after", "5");
    sendError(res, 503, "could not store the event, retry later");
  }
}

/**
 * POST /inbound/buildkite/eventbridge/:installationId: an EventBridge API destination delivering a
 * Buildkite partner event. Authenticated by the installation's API key in `X-Relay-Api-Key` (the
 * Connection's API_KEY authorization), or the previous key during its grace period after a rotation
 * (logged, so that an admin sees the Connection still has the old key). EventBridge retries 429/5xx only, so: 401/400 for requests
 * that will never work, 2xx for accepted, duplicate or irrelevant events, 503 when storing failed.
 */
async function eventBridge(services: Services, req: Request, res: Response): Promise<void> {
  const installation = await installationOf(services, String(req.params.installationId));
  const matched = installation ? await matchApiKey(services, installation.id, req.get(API_KEY_HEADER)) : null;
  if (!matched) {
    services.log.warn({ installationId: req.params.installationId }, "EventBridge delivery with a wrong API key refused");
    return sendError(res, 401, "invalid API key");
  }
  if (matched === "previous") {
    const until = (await previousApiKey(services, installation!.id))?.until;
    services.log.info(
      { installationId: installation!.id, graceUntil: until ? new Date(until).toISOString() : undefined },
      "EventBridge delivery with the previous API key accepted (grace period): update the EventBridge connection",
    );
  }
  const envelope = EventBridgeEnvelopeSchema.safeParse(req.body);
  if (!envelope.success) return sendError(res, 400, "not an EventBridge event");
  if (!envelope.data.source.startsWith("aws.partner/buildkite.com/")) return sendError(res, 400, "not a Buildkite partner event");
  const detailType = envelope.data["detail-type"];
  if (!(EVENTBRIDGE_BUILD_DETAIL_TYPES as readonly string[]).includes(detailType)) {
    res.status(202).json({ accepted: false, ignored: `detail-type "${detailType}" is not a build event` });
    return;
  }
  const build = buildFromEventBridge(envelope.data, Date.now());
  if (!build.ok) return sendError(res, 400, build.reason);
  await store(services, res, installation!, "eventbridge", build.value);
}

/**
 * POST /inbound/buildkite/webhook/:installationId: a Buildkite webhook, signed
 * (`X-Buildkite-Signature`, HMAC over the raw body, 5-minute window) or with `X-Buildkite-Token`.
 */
async function webhook(services: Services, req: Request, res: Response): Promise<void> {
  const installation = await installationOf(services, String(req.params.installationId));
  const token = installation ? await services.installations.secret(installation.id, WEBHOOK_TOKEN_SECRET) : undefined;
  const rawBody = (req as { rawBody?: Buffer }).rawBody;
  if (!installation || !token) return sendError(res, 401, "invalid webhook token");
  if (!rawBody) return sendError(res, 400, "expected a JSON body");
  const verdict = verifyBuildkiteWebhook(
    { signature: req.get("x-buildkite-signature") ?? undefined, token: req.get("x-buildkite-token") ?? undefined },
    rawBody,
    token,
  );
  if (!verdict.ok) {
    services.log.warn({ installationId: installation.id, reason: verdict.reason }, "Buildkite webhook refused");
    return sendError(res, 401, verdict.reason);
  }
  const body = req.body as { event?: unknown };
  const event = req.get("x-buildkite-event") ?? (typeof body?.event === "string" ? body.event : "");
  if (event === "ping") {
    res.status(200).json({ ok: true });
    return;
  }
  if (!(WEBHOOK_BUILD_EVENTS as readonly string[]).includes(event)) {
    res.status(202).json({ accepted: false, ignored: `event "${event}" is not a build event` });
    return;
  }
  const eventId = createHash("sha256").update(rawBody).digest("hex");
  const build = buildFromWebhook(req.body, eventId, verdict.timestampMs ?? Date.now());
  if (!build.ok) return sendError(res, 400, build.reason);
  await store(services, res, installation, "buildkite", build.value);
}

export function buildkiteInboundRoutes(services: Services): Router {
  const router = Router();
  router.post("/buildkite/eventbridge/:installationId", (req, res, next) => {
    eventBridge(services, req, res).catch(next);
  });
  router.post("/buildkite/webhook/:installationId", (req, res, next) => {
    webhook(services, req, res).catch(next);
  });
  return router;
}
