import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { classifyAwsError } from "../../aws/clients";
import { explainEntryError } from "../../aws/errors";
import { PermanentError } from "../../http/errors";
import type { PreparedEntry } from "./entries";

/** Per-entry error codes that no retry fixes (the rest, e.g. InternalFailure or ThrottlingException, are retried). */
const PERMANENT_CODES = new Set([
  "MalformedDetail",
  "InvalidArgument",
  "NotAuthorizedForSourceException",
  "AccessDeniedException",
  "ResourceNotFoundException",
  "ValidationException",
]);

/** What EventBridge answered for one entry. */
export type EntryResult = { ok: true; eventId: string } | { ok: false; code: string; message: string; permanent: boolean };

const wire = (e: PreparedEntry) => ({
  Source: e.Source,
  DetailType: e.DetailType,
  Detail: e.Detail,
  EventBusName: e.EventBusName,
  Time: new Date(e.Time * 1000),
  ...(e.Resources.length ? { Resources: e.Resources } : {}),
});

/**
 * One PutEvents call (1–10 entries, the caller keeps it within the size limit): a result per entry,
 * in order. Entries fail on their own in a 200 answer (`FailedEntryCount`, `Entries[i].ErrorCode`,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html). Throws the SDK's
 * error when the whole call failed (after the SDK's own retries of 5xx/throttling).
 */
export async function putEvents(client: EventBridgeClient, batch: PreparedEntry[]): Promise<EntryResult[]> {
  const out = await client.send(new PutEventsCommand({ Entries: batch.map(wire) }));
  return batch.map((_, i) => {
    const r = out.Entries?.[i];
    if (r?.EventId && !r.ErrorCode) return { ok: true, eventId: r.EventId };
    const code = r?.ErrorCode ?? "Unknown";
    const message = r?.ErrorCode ? explainEntryError(code, r.ErrorMessage ?? "", { service: "eventbridge", eventBus: batch[i]!.EventBusName }).reason : "no EventId in the answer";
    return { ok: false, code, message, permanent: PERMANENT_CODES.has(code) };
  });
}

/** A whole-call error (or a client that could not be built) as every entry's result. */
export function failure(err: unknown, eventBus?: string): EntryResult {
  const classified = classifyAwsError(err, { service: "eventbridge", eventBus });
  const name = (err as { name?: string }).name ?? "Error";
  return { ok: false, code: name, message: classified.message, permanent: classified instanceof PermanentError };
}
