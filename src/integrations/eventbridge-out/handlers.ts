import { z } from "zod";
import type { HandlerRegistry } from "../../pipeline/registry";
import type { EventKey } from "../../pipeline/events";
import { COMMIT_STATUS_EVENT_KEYS, PULL_REQUEST_EVENT_KEYS } from "../../bitbucket/events";
import { DC_DELIVERY_SOURCE, DC_PULL_REQUEST_EVENT_KEYS, isDcEventKey } from "../../datacenter/events/payloads";
import type { Forwardable } from "./settings";
import { deliverPrepared, RETRY_JOB } from "./publisher";
import { eventSource } from "./source";
import { MAX_ENTRIES_PER_CALL, prepareEntry, type PreparedEntry } from "./entries";

/**
 * The Bitbucket events forwarded, by family (the settings' event-type switches): Bitbucket Cloud's
 * webhook events (the core's, from Connect and Forge), and Bitbucket Data Center's own events as DC
 * sent them (`repo:refs_changed`, `pr:*`; issue 16: "DC events published with their DC event key
 * as DetailType"). DC sends no build-status events: the commit-status events of a DC repository are
 * those the app echoes for the statuses it posts (src/core/status-echo.ts), forwarded as Cloud's.
 */
export const FORWARDED_EVENTS: Record<Forwardable, EventKey[]> = {
  push: ["repo:push", "repo:refs_changed"],
  pull_request: [...PULL_REQUEST_EVENT_KEYS, ...DC_PULL_REQUEST_EVENT_KEYS],
  commit_status: [...COMMIT_STATUS_EVENT_KEYS],
};

/**
 * A Data Center delivery is forwarded once, as DC's event; the core events the door translates it
 * into (source "datacenter", Cloud's keys) get no forward job, or one `repo:refs_changed` of three
 * refs would go out as one DC event and three pushes.
 */
export function forwards(delivery: { source: string; eventKey: string }): boolean {
  return delivery.source !== DC_DELIVERY_SOURCE || isDcEventKey(delivery.eventKey);
}

export function familyOf(eventKey: string): Forwardable | undefined {
  return (Object.keys(FORWARDED_EVENTS) as Forwardable[]).find((f) => FORWARDED_EVENTS[f].includes(eventKey as EventKey));
}

const PreparedEntrySchema = z.object({
  Source: z.string(),
  DetailType: z.string(),
  Detail: z.string(),
  EventBusName: z.string(),
  Time: z.number(),
  Resources: z.array(z.string()),
  trimmed: z.boolean(),
  trimmedPaths: z.array(z.string()).optional(),
});

export interface RetryEntriesJob {
  entries: PreparedEntry[];
  generation: number;
}

const RetryEntriesSchema = z.object({ entries: z.array(PreparedEntrySchema).min(1).max(1000), generation: z.number().int().min(0) });

declare module "../../pipeline/events" {
  interface JobMap {
    "eventbridge-out.retry-entries": RetryEntriesJob;
  }
}

export function registerEventBridgeOut(registry: HandlerRegistry): void {
  const keys = Object.values(FORWARDED_EVENTS).flat();
  // Ready forward jobs of an installation are claimed together (up to one PutEvents call's worth) so
  // that the batcher can put their entries in one call; each job still ends on its own entry's answer.
  const options = { name: "eventbridge-out.forward", integration: "eventbridge-out", requiresEnabled: true, claimTogether: MAX_ENTRIES_PER_CALL, accepts: forwards } as const;
  registry.on(keys, options, async (ctx) => {
    const eventKey = ctx.delivery?.eventKey;
    const family = eventKey ? familyOf(eventKey) : undefined;
    if (!eventKey || !family || !ctx.repository) return { ignored: "not a forwarded Bitbucket event" };
    const settings = await ctx.settings("eventbridge-out");
    if (!settings.eventTypes.includes(family)) return { ignored: `${family} events are not forwarded for this repository` };
    // One entry per job, batched with the entries of the other jobs running now (batcher.ts): the job
    // ends done only when EventBridge accepted its entry; a failed entry fails (and retries) its job.
    const entry = prepareEntry(
      { detailType: eventKey, detail: ctx.payload as Record<string, unknown>, time: new Date(ctx.delivery!.receivedAt) },
      eventSource(ctx.services.config.appKey, ctx.installation),
      settings.eventBus,
    );
    const res = await deliverPrepared(ctx.services, ctx.installation, ctx.repository.uuid, settings, [entry], 0);
    return { done: { published: res.published, eventIds: res.eventIds, trimmed: entry.trimmedPaths ?? [] } };
  });

  registry.job(RETRY_JOB, { integration: "eventbridge-out", requiresEnabled: true, schema: RetryEntriesSchema }, async (ctx) => {
    if (!ctx.repository) return { ignored: "no repository" };
    const settings = await ctx.settings("eventbridge-out");
    const res = await deliverPrepared(ctx.services, ctx.installation, ctx.repository.uuid, settings, ctx.payload.entries, ctx.payload.generation);
    return { done: { published: res.published, eventIds: res.eventIds, deferred: res.deferred ?? 0, generation: ctx.payload.generation } };
  });
}
