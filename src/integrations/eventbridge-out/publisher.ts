import { eventSource } from "./source";
import type { Services } from "../../core/services";
import type { InstallationView } from "../../core/installations";
import { PermanentError, RetryLaterError } from "../../http/errors";
import { backoffDelay } from "../../http/retry";
import { recordCall } from "../../http/call-log";
import { eventBridgeClientFor } from "./client";
import { prepareEntry, type PreparedEntry } from "./entries";
import { batcherFor, type Destination, type EntryOutcome } from "./batcher";
import type { EventBridgeOutSettings } from "./settings";

export const RETRY_JOB = "eventbridge-out.retry-entries";

export interface PublishResult {
  published: number;
  /** Why nothing was sent (EventBridge out is off for the repository). */
  skipped?: string;
  /** Entries whose Detail was trimmed to fit EventBridge's size limit (they carry `relay.trimmed`). */
  trimmed?: number;
  /** Entries that failed on their own while others went in: handed to a retry job carrying just them. */
  deferred?: number;
  eventIds?: string[];
}

export interface PublishEntry {
  detailType: string;
  detail: Record<string, unknown>;
  time?: Date;
}

/** The batcher's destination for a repository's settings: same installation, region and role share calls. */
export function destinationOf(services: Services, installation: InstallationView, settings: EventBridgeOutSettings): Destination {
  return {
    key: `${installation.id}|${settings.region}|${settings.roleArn}`,
    client: () => eventBridgeClientFor(services, installation, settings),
  };
}

/**
 * Puts events on the repository's EventBridge bus (Source = the app key), whatever the caller:
 * Proton sync, test events, retry jobs. Skipped, with the reason, when EventBridge out is off for
 * that repository; the event-type switches apply to forwarded Bitbucket events only.
 *
 * Entries go through the app's batcher (with other entries ready at the same time, ≤ 10 and 256 KB a
 * call). Throws PermanentError when EventBridge rejects an entry for good (denied role, unknown bus,
 * bad entry) and RetryLaterError when nothing at all went in (the caller's job retries); when some
 * went in and others failed transiently, those go to a retry job of their own, so that published
 * entries are never sent twice.
 */
export async function publishEvents(
  services: Services,
  installation: InstallationView,
  repositoryUuid: string,
  entries: PublishEntry[],
): Promise<PublishResult> {
  const settings = await services.settings.get(installation.id, repositoryUuid, "eventbridge-out");
  if (!settings.enabled) return { published: 0, skipped: "EventBridge out is off for this repository" };
  if (!entries.length) return { published: 0 };
  const prepared = entries.map((e) => prepareEntry(e, eventSource(services.config.appKey, installation), settings.eventBus));
  return deliverPrepared(services, installation, repositoryUuid, settings, prepared, 0);
}

type Failed = Extract<EntryOutcome, { ok: false }> & { entry: PreparedEntry };

function describe(failed: Failed[]): string {
  const byCode = new Map<string, { n: number; message: string }>();
  for (const f of failed) {
    const c = byCode.get(f.code) ?? { n: 0, message: f.message };
    c.n++;
    byCode.set(f.code, c);
  }
  return [...byCode.entries()].map(([code, c]) => `${c.n}× ${code}: ${c.message}`).join("; ");
}

/** Shows each PutEvents call the entries went out in on the running job's activity log. */
function record(settings: EventBridgeOutSettings, outcomes: EntryOutcome[]): void {
  for (const call of new Set(outcomes.map((o) => o.call))) {
    const mine = outcomes.filter((o) => o.call === call);
    const failed = mine.filter((o): o is Extract<EntryOutcome, { ok: false }> => !o.ok);
    recordCall({
      target: "eventbridge",
      method: "POST", // PutEvents is a POST (awsJson1_1, X-Amz-Target: AWSEvents.PutEvents)
      url: `https://events.${settings.region}.amazonaws.com/ PutEvents (${call.entries} entries, ${mine.length} of this job)`,
      status: call.error ? null : 200,
      durationMs: call.durationMs,
      ...(call.error ? { error: call.error } : failed.length ? { error: failed.map((f) => `${f.code}: ${f.message}`).join("; ").slice(0, 500) } : {}),
    });
  }
}

/** Sends prepared entries; defers entries failing transiently beside accepted ones to a retry job. */
export async function deliverPrepared(
  services: Services,
  installation: InstallationView,
  repositoryUuid: string,
  settings: EventBridgeOutSettings,
  prepared: PreparedEntry[],
  generation: number,
): Promise<PublishResult> {
  const outcomes = await batcherFor(services).submitAll(destinationOf(services, installation, settings), prepared);
  record(settings, outcomes);
  const eventIds = outcomes.flatMap((o) => (o.ok ? [o.eventId] : []));
  const failed = outcomes.flatMap((o, i) => (o.ok ? [] : [{ ...o, entry: prepared[i]! }]));
  const permanent = failed.filter((f) => f.permanent);
  const transient = failed.filter((f) => !f.permanent);
  const trimmed = prepared.filter((e) => e.trimmed).length;
  if (transient.length && !eventIds.length && !permanent.length) {
    // Nothing went in: the caller's job retries the lot (the one retry policy) without duplicates.
    throw new RetryLaterError(`EventBridge did not accept the ${prepared.length > 1 ? "entries" : "entry"}: ${describe(transient)}`);
  }
  if (transient.length) {
    await services.queue.enqueue([
      {
        installationId: installation.id,
        repositoryUuid,
        handler: RETRY_JOB,
        integration: "eventbridge-out",
        payload: { entries: transient.map((f) => f.entry), generation: generation + 1 },
        maxAttempts: services.config.worker.maxAttempts,
        runAt: Date.now() + backoffDelay(services.config.retry, generation + 1),
      },
    ]);
    services.queue.notify();
  }
  if (permanent.length) {
    throw new PermanentError(
      `EventBridge rejected ${permanent.length} of ${prepared.length} ${prepared.length > 1 ? "entries" : "entry"} (${eventIds.length} published${transient.length ? `, ${transient.length} deferred` : ""}): ${describe(permanent)}`,
    );
  }
  return {
    published: eventIds.length,
    eventIds,
    ...(trimmed ? { trimmed } : {}),
    ...(transient.length ? { deferred: transient.length } : {}),
  };
}
