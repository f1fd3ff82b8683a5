import { createHash } from "node:crypto";
import { Router, type Request } from "express";
import { mintDataCenterRepositoryId } from "../../bitbucket/repository-id";
import type { InstallationView } from "../../core/installations";
import type { Services } from "../../core/services";
import { checkHmac } from "../../crypto/hmac";
import { acceptDelivery, refuse, type Ignored } from "../../web/accept-delivery";
import { rawBodyOf } from "../../web/raw-body";
import { dataCenterFullName } from "../events/mapping";
import { DC_PING_EVENT, isDcEventKey, parseDcEvent, repositoryOfDcEvent } from "../events/payloads";
import { dataCenterClientKey } from "../installations";
import { acceptedSecrets, DataCenterWebhookStore } from "./store";

interface DcSender {
  installation: InstallationView;
  repository: { uuid: string; fullName: string };
}

const header = (req: Request, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === "string" && v.length ? v : undefined;
};

/** The DC repository a body names (`repository`, or the pull request's target repository), read only to pick the secret. */
function namedRepository(body: unknown): { id: number; projectKey: string; slug: string } | null {
  const b = body as { repository?: unknown; pullRequest?: { toRef?: { repository?: unknown } } } | null;
  const r = (b?.repository ?? b?.pullRequest?.toRef?.repository) as { id?: unknown; slug?: unknown; project?: { key?: unknown } } | undefined;
  if (!r || !Number.isSafeInteger(r.id) || (r.id as number) < 1 || typeof r.slug !== "string" || typeof r.project?.key !== "string") return null;
  return { id: r.id as number, projectKey: r.project.key, slug: r.slug };
}

const PING: Ignored = { ignore: "diagnostics:ping", status: 200, body: { ok: true } };

/**
 * `POST /datacenter/<instance>/webhook`: repository webhooks the app registered on a DC instance,
 * through `acceptDelivery`. verify: the instance is configured; `diagnostics:ping` (DC's unsigned
 * "Test connection", datacenter-app.md §0.2) → 200, nothing stored; otherwise the repository the body
 * names (id, under this instance's base URL) must have the app's webhook, and `X-Hub-Signature`
 * (`sha256=<hex>`) must be the HMAC of the exact bytes received under one of its secrets (current,
 * next, previous in its grace period) → 401 with the reason otherwise (unsigned, forged, unknown
 * repository, another instance's repository). parse: the body validated for its `X-Event-Key` (400);
 * keys the app does not subscribe to are acknowledged (202) and dropped. Stored as received
 * (source "datacenter", idempotency key `X-Request-Id`), then translated by `datacenter.translate`.
 */
export function dataCenterWebhookRouter(services: Services): Router {
  const store = new DataCenterWebhookStore(services.db, services.box);
  const router = Router();
  router.post(
    "/:instance/webhook",
    acceptDelivery<DcSender, unknown>(services, {
      source: "datacenter",
      async verify(req) {
        const instanceId = String(req.params.instance ?? "");
        if (!services.config.dataCenter.instances.some((i) => i.id === instanceId)) return refuse(401, "unknown Data Center instance");
        const installation = await services.installations.findByClientKey("datacenter", dataCenterClientKey(instanceId));
        if (!installation) return refuse(401, "unknown Data Center instance");
        const eventKey = header(req, "x-event-key");
        if (eventKey === DC_PING_EVENT) return PING;
        // Unsigned is 401 before any other check: an unauthenticated sender learns nothing of what else is wrong.
        const signature = header(req, "x-hub-signature");
        if (!signature) return refuse(401, "missing signature");
        if (!eventKey) return refuse(400, "missing X-Event-Key");
        const raw = rawBodyOf(req);
        if (!raw) return refuse(415, "expected an application/json body");
        const named = namedRepository(req.body);
        if (!named) return refuse(400, "the body names no repository");
        const uuid = mintDataCenterRepositoryId(installation.baseUrl, named.id);
        const rec = await store.get(installation.id, uuid);
        const secrets = rec ? acceptedSecrets(rec.secrets) : [];
        if (!secrets.length) return refuse(401, "unknown repository: the app has no webhook there");
        const verdict = checkHmac(raw, signature, secrets);
        if (!verdict.ok) return refuse(401, verdict.reason);
        return { installation, repository: { uuid, fullName: dataCenterFullName({ slug: named.slug, project: { key: named.projectKey } }) } };
      },
      parse(req, sender) {
        const eventKey = header(req, "x-event-key")!;
        if (!isDcEventKey(eventKey)) return { ignore: `${eventKey} is not an event the app subscribes to` };
        const parsed = parseDcEvent(eventKey, req.body);
        if (!parsed.ok) return refuse(400, parsed.reason);
        const raw = rawBodyOf(req)!;
        const repo = repositoryOfDcEvent(parsed.payload);
        if (mintDataCenterRepositoryId(sender.installation.baseUrl, repo.id) !== sender.repository.uuid) return refuse(400, "the body names two repositories");
        return {
          eventKey,
          payload: parsed.payload,
          payloadJson: raw.toString("utf8"),
          idempotencyKey: header(req, "x-request-id") ?? `sha256:${createHash("sha256").update(raw).digest("hex")}`,
          repository: sender.repository,
        };
      },
    }),
  );
  return router;
}
