import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { classifyAwsError } from "../../aws/clients";
import { explainEntryError } from "../../aws/errors";
import { PermanentError } from "../../http/errors";
import { backoffDelay, sleep, type RetryPolicy } from "../../http/retry";
import { batches, type PreparedEntry } from "./entries";

/** Per-entry error codes that no retry fixes (the rest, e.g. InternalFailure or ThrottlingException, are retried). */
const PERMANENT_CODES = new Set([
  "MalformedDetail",
  "InvalidArgument",
  "NotAuthorizedForSourceException",
  "AccessDeniedException",
  "ResourceNotFoundException",
  "ValidationException",
]);

export interface FailedEntry {
  entry: PreparedEntry;
  code: string;
  message: string;
  permanent: boolean;
}

export interface SendResult {
  published: number;
  eventIds: string[];
  /** Entries still failing after the inline attempts, each with its last error. */
  failed: FailedEntry[];
}

export interface SendOptions {
  retry: RetryPolicy;
  /** Rounds of PutEvents for entries that failed on their own (FailedEntryCount). */
  attempts: number;
  /** Longest pause between rounds; longer waits are left to the job scheduler. */
  maxWaitMs: number;
}

const wire = (e: PreparedEntry) => ({
  Source: e.Source,
  DetailType: e.DetailType,
  Detail: e.Detail,
  EventBusName: e.EventBusName,
  Time: new Date(e.Time * 1000),
  ...(e.Resources.length ? { Resources: e.Resources } : {}),
});

/** One PutEvents call: which entries went in, which failed and why. A whole-call error fails every entry of the call. */
async function putOnce(client: EventBridgeClient, batch: PreparedEntry[]): Promise<{ ok: string[]; failed: FailedEntry[] }> {
  try {
    const out = await client.send(new PutEventsCommand({ Entries: batch.map(wire) }));
    const ok: string[] = [];
    const failed: FailedEntry[] = [];
    batch.forEach((entry, i) => {
      const r = out.Entries?.[i];
      if (r?.EventId && !r.ErrorCode) ok.push(r.EventId);
      else {
        const code = r?.ErrorCode ?? "Unknown";
        const message = r?.ErrorCode ? explainEntryError(code, r.ErrorMessage ?? "", { service: "eventbridge", eventBus: entry.EventBusName }).reason : "no EventId in the answer";
        failed.push({ entry, code, message, permanent: PERMANENT_CODES.has(code) });
      }
    });
    return { ok, failed };
  } catch (err) {
    const classified = classifyAwsError(err, { service: "eventbridge", eventBus: batch[0]?.EventBusName });
    const name = (err as { name?: string }).name ?? "Error";
    const permanent = classified instanceof PermanentError;
    return { ok: [], failed: batch.map((entry) => ({ entry, code: name, message: classified.message, permanent })) };
  }
}

/**
 * Sends entries in calls of at most 10 (and the size limit). Entries that fail on their own are sent
 * again on their own, never the whole batch, for `attempts` rounds; permanent failures are not retried.
 */
export async function sendEntries(client: EventBridgeClient, entries: PreparedEntry[], opts: SendOptions): Promise<SendResult> {
  const eventIds: string[] = [];
  const permanent: FailedEntry[] = [];
  let pending = entries;
  let transient: FailedEntry[] = [];
  for (let round = 1; pending.length && round <= opts.attempts; round++) {
    if (round > 1) await sleep(Math.min(opts.maxWaitMs, backoffDelay(opts.retry, round - 1)));
    transient = [];
    for (const batch of batches(pending)) {
      const { ok, failed } = await putOnce(client, batch);
      eventIds.push(...ok);
      for (const f of failed) (f.permanent ? permanent : transient).push(f);
    }
    pending = transient.map((f) => f.entry);
  }
  return { published: eventIds.length, eventIds, failed: [...permanent, ...transient] };
}
