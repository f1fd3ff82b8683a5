import type { Services } from "../../core/services";
import type { InstallationView } from "../../core/installations";
import { PermanentError, RetryLaterError } from "../../http/errors";
import { backoffDelay } from "../../http/retry";
import { eventBridgeClientFor } from "./client";
import { prepareEntry, type PreparedEntry } from "./entries";
import { sendEntries, type FailedEntry } from "./put-events";
import type { EventBridgeOutSettings } from "./settings";

export const RETRY_JOB = "eventbridge-out.retry-entries";
/** PutEvents rounds inside one job run for entries that failed on their own. */
const INLINE_ROUNDS = 3;

export interface PublishResult {
  published: number;
  /** Why nothing was sent (EventBridge out is off for the repository). */
  skipped?: string;
  /** Entries whose Detail was cut to fit EventBridge's size limit (they carry `relay.trimmed: true`). */
  trimmed?: number;
  /** Entries that kept failing on their own: they were handed to a retry job, the others are not sent again. */
  deferred?: number;
  eventIds?: string[];
}

export interface PublishEntry {
  detailType: string;
  detail: Record<string, unknown>;
}

/**
 * Puts events on the repository's EventBridge bus (Source = the app key), whatever the caller:
 * Bitbucket event forwarding, Proton sync, test events. Skipped, with the reason, when EventBridge out
 * is off for that repository; the event-type switches apply to forwarded Bitbucket events only.
 *
 * Entries go out in calls of at most 10; entries that fail on their own are retried on their own (a few
 * rounds inline, then in a job of their own) so that published entries are never sent twice. Throws
 * PermanentError when EventBridge rejects entries for good (denied role, unknown bus, bad entry), and a
 * retryable error when nothing at all could be sent (the caller's job retries).
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
  const prepared = entries.map((e) => prepareEntry(e, services.config.appKey, settings.eventBus));
  return deliverPrepared(services, installation, repositoryUuid, settings, prepared, 0);
}

function describe(failed: FailedEntry[]): string {
  const byCode = new Map<string, { n: number; message: string }>();
  for (const f of failed) {
    const c = byCode.get(f.code) ?? { n: 0, message: f.message };
    c.n++;
    byCode.set(f.code, c);
  }
  return [...byCode.entries()].map(([code, c]) => `${c.n}× ${code}: ${c.message}`).join("; ");
}

/** Sends prepared entries; defers entries still failing transiently to a retry job of their own. */
export async function deliverPrepared(
  services: Services,
  installation: InstallationView,
  repositoryUuid: string,
  settings: EventBridgeOutSettings,
  prepared: PreparedEntry[],
  generation: number,
): Promise<PublishResult> {
  const client = await eventBridgeClientFor(services, installation, settings);
  let res;
  try {
    res = await sendEntries(client, prepared, {
      retry: services.config.retry,
      attempts: INLINE_ROUNDS,
      maxWaitMs: services.config.http.inlineRetryMaxWaitMs,
    });
  } finally {
    client.destroy();
  }
  const trimmed = prepared.filter((e) => e.trimmed).length;
  const permanent = res.failed.filter((f) => f.permanent);
  const transient = res.failed.filter((f) => !f.permanent);
  let deferred = 0;
  if (transient.length) {
    if (res.published === 0 && permanent.length === 0) {
      // Nothing went in: the caller's job retries the lot without risk of duplicates.
      throw new RetryLaterError(`EventBridge did not accept the entries: ${describe(transient)}`);
    }
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
    deferred = transient.length;
  }
  if (permanent.length) {
    throw new PermanentError(
      `EventBridge rejected ${permanent.length} of ${prepared.length} entries (${res.published} published${deferred ? `, ${deferred} deferred` : ""}): ${describe(permanent)}`,
    );
  }
  return {
    published: res.published,
    eventIds: res.eventIds,
    ...(trimmed ? { trimmed } : {}),
    ...(deferred ? { deferred } : {}),
  };
}
