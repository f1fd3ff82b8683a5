import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { entrySize, MAX_ENTRIES_PER_CALL, MAX_REQUEST_BYTES, type PreparedEntry } from "./entries";
import { failure, putEvents, type EntryResult } from "./put-events";

/**
 * How long a call waits for one more entry (ms), restarted by each entry that joins, but never more
 * than MAX_LINGER_MS after the first: short, so that a lone event is not held up, and long enough for
 * the jobs claimed together to reach the batcher one after the other.
 */
export const LINGER_MS = 10;
export const MAX_LINGER_MS = 50;

/** Where entries go: one key per set of credentials and region; entries name their own bus. */
export interface Destination {
  key: string;
  /** A client for one call; destroyed after it. */
  client(): Promise<EventBridgeClient>;
}

/** The call an entry went out in, for the job's activity log. */
export interface CallInfo {
  entries: number;
  durationMs: number;
  /** The whole call's error, when it did not get an answer. */
  error?: string;
}

export type EntryOutcome = EntryResult & { call: CallInfo };

interface Waiting {
  entry: PreparedEntry;
  resolve(o: EntryOutcome): void;
}

interface Group {
  dest: Destination;
  items: Waiting[];
  bytes: number;
  timer: NodeJS.Timeout | null;
  /** When the first entry joined (ms). */
  since: number;
}

/**
 * Gathers the entries that are ready at the same time for one destination into PutEvents calls of at
 * most 10 entries and MAX_REQUEST_BYTES (EventBridge's limits: `Entries` 1–10 items, the sum of the
 * entry sizes), waiting `lingerMs` for one more entry (at most `maxLingerMs` in all). Each caller awaits its own entry's
 * result, so a job ends done only when its entry was accepted, and only failed entries are sent again
 * (by their own job's retry). One batcher per app instance (`batcherFor(services)`).
 */
export class PutEventsBatcher {
  private readonly open = new Map<string, Group>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly opts: { lingerMs?: number; maxLingerMs?: number; maxEntries?: number; maxBytes?: number } = {},
  ) {}

  submit(dest: Destination, entry: PreparedEntry): Promise<EntryOutcome> {
    const max = this.opts.maxEntries ?? MAX_ENTRIES_PER_CALL;
    const size = entrySize(entry);
    let group = this.open.get(dest.key);
    if (group && group.bytes + size > (this.opts.maxBytes ?? MAX_REQUEST_BYTES)) {
      this.flush(group);
      group = undefined;
    }
    if (!group) {
      group = { dest, items: [], bytes: 0, timer: null, since: Date.now() };
      this.open.set(dest.key, group);
    }
    const g = group;
    const done = new Promise<EntryOutcome>((resolve) => g.items.push({ entry, resolve }));
    g.bytes += size;
    if (g.items.length >= max) this.flush(g);
    else {
      if (g.timer) clearTimeout(g.timer);
      const left = g.since + (this.opts.maxLingerMs ?? MAX_LINGER_MS) - Date.now();
      g.timer = setTimeout(() => this.flush(g), Math.max(0, Math.min(this.opts.lingerMs ?? LINGER_MS, left)));
    }
    return done;
  }

  submitAll(dest: Destination, entries: PreparedEntry[]): Promise<EntryOutcome[]> {
    return Promise.all(entries.map((e) => this.submit(dest, e)));
  }

  /** Sends whatever is waiting now and resolves when every call has been answered (shutdown, tests). */
  async drain(): Promise<void> {
    for (const g of [...this.open.values()]) this.flush(g);
    await Promise.all([...this.inFlight]);
  }

  private flush(g: Group): void {
    if (this.open.get(g.dest.key) === g) this.open.delete(g.dest.key);
    if (g.timer) clearTimeout(g.timer);
    g.timer = null;
    if (!g.items.length) return;
    const items = g.items.splice(0);
    const p = this.send(g.dest, items).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async send(dest: Destination, items: Waiting[]): Promise<void> {
    const started = Date.now();
    let results: EntryResult[];
    let error: string | undefined;
    try {
      const client = await dest.client();
      try {
        results = await putEvents(client, items.map((i) => i.entry));
      } finally {
        client.destroy();
      }
    } catch (err) {
      const f = failure(err, items[0]?.entry.EventBusName);
      results = items.map(() => f);
      error = f.ok ? undefined : f.message;
    }
    const call: CallInfo = { entries: items.length, durationMs: Date.now() - started, ...(error ? { error } : {}) };
    items.forEach((item, i) => item.resolve({ ...results[i]!, call }));
  }
}

const batchers = new WeakMap<object, PutEventsBatcher>();

/** The app instance's batcher (keyed by its Services bag). */
export function batcherFor(services: object): PutEventsBatcher {
  let b = batchers.get(services);
  if (!b) batchers.set(services, (b = new PutEventsBatcher()));
  return b;
}
