import type { BitbucketClient } from "../bitbucket/client";
import { repoPath } from "../bitbucket/client";
import { parseBitbucketEvent } from "../bitbucket/events";
import type { Services } from "../core/services";
import { HttpError, PermanentError } from "../http/errors";
import type { HandlerContext } from "../pipeline/context";
import { ingest } from "../pipeline/ingest";
import {
  mapBuildStatus,
  mapPullRequest,
  mapPush,
  mapReviewerStatus,
  type ApiObject,
  type ApiPullRequest,
  type ApiRepository,
  type MappedEvent,
} from "./event-mapping";
import { FORGE_EVENT_TYPES, type ForgeProductEvent } from "./product-events";

export const TRANSLATE_HANDLER = "forge.translate";

async function fetchMapped(ev: ForgeProductEvent, bb: BitbucketClient): Promise<{ repo: ApiRepository; events: MappedEvent[] }> {
  const base = repoPath(ev.workspace.uuid, ev.repository.uuid);
  const repo = await bb.get<ApiRepository>(base);
  switch (ev.eventType) {
    case "avi:bitbucket:push:repository":
      return { repo, events: [mapPush(ev, repo)] };
    case "avi:bitbucket:updated:pullrequest-reviewer-status": {
      const pr = await bb.get<ApiPullRequest>(`${base}/pullrequests/${ev.pullrequest.id}`);
      return { repo, events: mapReviewerStatus(ev, repo, pr) };
    }
    case "avi:bitbucket:created:build-status":
    case "avi:bitbucket:updated:build-status": {
      const s = ev.buildStatus;
      let stored: ApiObject | null = null;
      try {
        stored = await bb.get<ApiObject>(`${base}/commit/${encodeURIComponent(s.commit.hash)}/statuses/build/${encodeURIComponent(s.key)}`);
      } catch (err) {
        if (!(err instanceof HttpError && err.status === 404)) throw err;
      }
      return { repo, events: [mapBuildStatus(ev, repo, stored, bb.baseApiUrl)] };
    }
    default: {
      const pr = await bb.get<ApiPullRequest>(`${base}/pullrequests/${ev.pullrequest.id}`);
      return { repo, events: [mapPullRequest(ev, repo, pr)] };
    }
  }
}

/**
 * The second half of a Forge delivery: the stored `avi:bitbucket:*` event is completed from the
 * REST API (with the installation's system token) into the webhook event the integrations handle,
 * then fed into `ingest()` like a Connect webhook (source "forge", idempotent per delivery, so a
 * retried translation never doubles the work).
 */
export async function translateForgeEvent(ctx: HandlerContext<ForgeProductEvent>) {
  const { services } = ctx;
  if (!ctx.delivery) throw new PermanentError("forge event job without its delivery");
  const ev = ctx.payload;
  const { repo, events } = await fetchMapped(ev, services.bitbucketFor(ctx.installation));
  await learnWorkspaceSlug(services, ctx, repo);
  const ingested: string[] = [];
  for (const mapped of events) {
    const parsed = parseBitbucketEvent(mapped.eventKey, mapped.payload);
    if (!parsed.ok) throw new PermanentError(parsed.reason);
    await ingest(services, {
      installationId: ctx.installation.id,
      source: "forge",
      eventKey: mapped.eventKey,
      idempotencyKey: `${ctx.delivery.id}:${mapped.suffix}`,
      repository: { uuid: repo.uuid, fullName: repo.full_name },
      payload: parsed.payload,
    });
    ingested.push(mapped.eventKey);
  }
  if (!ingested.length) return { ignored: "the event maps to no Bitbucket webhook event" };
  return { done: { events: ingested, repository: repo.full_name } };
}

/** Forge never names the workspace slug; the first repository fetched tells it. */
async function learnWorkspaceSlug(services: Services, ctx: HandlerContext<ForgeProductEvent>, repo: ApiRepository): Promise<void> {
  const ws = repo.workspace as { slug?: unknown; uuid?: unknown; name?: unknown } | undefined;
  const inst = ctx.installation;
  if (inst.workspaceSlug || typeof ws?.slug !== "string" || !inst.workspaceUuid) return;
  await services.installations.install({
    host: inst.host,
    clientKey: inst.clientKey,
    appKey: inst.appKey,
    credentialKind: inst.credentialKind,
    workspace: { uuid: inst.workspaceUuid, slug: ws.slug, name: typeof ws.name === "string" ? ws.name : null },
    baseUrl: inst.baseUrl,
    baseApiUrl: inst.baseApiUrl,
    secrets: {},
  });
}

export function registerTranslateHandler(services: Services): void {
  if (services.registry.get(TRANSLATE_HANDLER)) return;
  services.registry.on(FORGE_EVENT_TYPES, { name: TRANSLATE_HANDLER, integration: "core" }, (ctx) =>
    translateForgeEvent(ctx as HandlerContext<ForgeProductEvent>),
  );
}
