import { parseBitbucketEvent } from "../../bitbucket/events";
import { repositories } from "../../core/repositories";
import type { Services } from "../../core/services";
import { PermanentError } from "../../http/errors";
import type { HandlerContext } from "../../pipeline/context";
import { ingest } from "../../pipeline/ingest";
import { dataCenterFullName, mapDataCenterEvent } from "./mapping";
import { DC_EVENT_KEYS, isDcEventKey, parseDcEvent, repositoryOfDcEvent, type DcEventPayloads } from "./payloads";

export const DC_TRANSLATE_HANDLER = "datacenter.translate";

/**
 * The second half of a Data Center delivery (as Forge's translate): the stored DC event (`repo:refs_changed`,
 * `pr:*`) is mapped onto the core's events (`mapDataCenterEvent`) and each is fed into `ingest()`
 * (source "datacenter", idempotency key `<delivery id>:<suffix>`, so a retried or replayed
 * translation never doubles the work; a fixed mapping is applied by replaying this job). The
 * repository's display name `PROJ/slug` is remembered. No call to DC: the payload has everything.
 */
export async function translateDataCenterEvent(ctx: HandlerContext<DcEventPayloads[keyof DcEventPayloads]>) {
  const { services } = ctx;
  const delivery = ctx.delivery;
  if (!delivery || !isDcEventKey(delivery.eventKey)) throw new PermanentError("Data Center event job without its delivery");
  const parsed = parseDcEvent(delivery.eventKey, ctx.payload);
  if (!parsed.ok) throw new PermanentError(parsed.reason);
  const dcRepo = repositoryOfDcEvent(parsed.payload);
  const mapped = mapDataCenterEvent(ctx.installation.baseUrl, delivery.eventKey, parsed.payload);
  const repo = mapped[0]?.payload.repository;
  if (repo) await repositories.remember(ctx.installation, { id: repo.uuid, displayName: dataCenterFullName(dcRepo) });
  const ingested: string[] = [];
  for (const m of mapped) {
    const valid = parseBitbucketEvent(m.eventKey, m.payload);
    if (!valid.ok) throw new PermanentError(valid.reason);
    await ingest(services, {
      installationId: ctx.installation.id,
      source: "datacenter",
      eventKey: m.eventKey,
      idempotencyKey: `${delivery.id}:${m.suffix}`,
      repository: { uuid: m.payload.repository.uuid, fullName: m.payload.repository.full_name },
      payload: valid.payload,
    });
    ingested.push(m.eventKey);
  }
  if (!ingested.length) return { ignored: "the event maps to no Bitbucket webhook event" };
  return { done: { events: ingested, repository: repo?.full_name ?? null } };
}

export function registerDataCenterTranslate(services: Services): void {
  if (services.registry.get(DC_TRANSLATE_HANDLER)) return;
  services.registry.on(DC_EVENT_KEYS, { name: DC_TRANSLATE_HANDLER, integration: "core" }, (ctx) => translateDataCenterEvent(ctx));
}
