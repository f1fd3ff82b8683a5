import type { Request, RequestHandler, Response } from "express";
import type { InstallationView } from "../core/installations";
import type { Services } from "../core/services";
import type { DeliverySource } from "../models/delivery";
import { IngestBusyError, ingest, type IngestResult } from "../pipeline/ingest";
import { sendError } from "./errors";

/** A request refused: answered `status` with `{ error: reason }`, nothing stored. */
export interface Refusal {
  refuse: number;
  reason: string;
}
/** A request acknowledged without storing anything (a ping, an event nobody handles): `status` (202) + `body`. */
export interface Ignored {
  ignore: string;
  status?: number;
  body?: unknown;
}
export const refuse = (status: number, reason: string): Refusal => ({ refuse: status, reason });
const isRefusal = (v: unknown): v is Refusal => typeof v === "object" && v !== null && "refuse" in v;
const isIgnored = (v: unknown): v is Ignored => typeof v === "object" && v !== null && "ignore" in v;

/** What `parse` makes of a verified request: the event `ingest()` stores. */
export interface ParsedDelivery<P = unknown> {
  eventKey: string;
  payload: P;
  /** The sender's delivery id (X-Request-UUID, X-Request-Id, the EventBridge event id) or a digest of the body. */
  idempotencyKey: string;
  repository: { uuid: string; fullName?: string | null } | null;
  /** A bearer token the sender signed the request with, for replay detection (`InboundEvent.token`). */
  token?: string;
  /** The payload's JSON text as received, stored as is when given (`InboundEvent.payloadJson`). */
  payloadJson?: string;
}

/** The sender a receiver verified: at least the installation the delivery belongs to. */
export interface VerifiedSender {
  installation: InstallationView;
}

/**
 * One inbound delivery endpoint, described by its steps. Each step may refuse (4xx, nothing stored).
 * - `verify`: who sent it. Either checks the request itself (`verifyHmac` over `rawBodyOf(req)`) or
 *   reads what an authentication middleware mounted before it established (ACE, a FIT). Quick: at
 *   most the lookups the check needs. May answer `Ignored` for requests a sender leaves unsigned and
 *   that are acknowledged without storing (Data Center's `diagnostics:ping`).
 * - `parse`: the event from the body (validated), or `Ignored` for requests acknowledged and dropped.
 * - `scope`: the event must concern the sender's installation (its workspace, its DC instance); refuse
 *   401 otherwise: the sender's credential was not issued for it (docs/architecture.md, Security).
 * - `answer`: the 2xx for a stored or duplicate delivery (default: 204 new, 200 duplicate).
 * - Too many events waiting to be stored (`IngestBusyError`, INGEST_MAX_PENDING_BYTES): 503 with
 *   `Retry-After: 5` whatever `storeFailure` says, nothing stored.
 * - `storeFailure`: storing failed: `"error"` passes it to the app's error handler (500; the sender
 *   retries 5xx), `"retry-later"` answers 503 with `Retry-After: 5` (senders that honour it).
 */
export interface DeliveryReceiver<S extends VerifiedSender, P = unknown> {
  source: DeliverySource;
  verify(req: Request, res: Response): S | Refusal | Ignored | Promise<S | Refusal | Ignored>;
  parse(req: Request, sender: S): ParsedDelivery<P> | Refusal | Ignored;
  scope?(delivery: ParsedDelivery<P>, sender: S): Refusal | null;
  answer?(res: Response, result: IngestResult, sender: S): void;
  storeFailure?: "error" | "retry-later";
}

const lastBusyLog = new WeakMap<Services, number>();

/** One warning per 10 s while events are shed (each refusal is counted in relay_deliveries_shed_total). */
function busyLog(services: Services, source: DeliverySource): void {
  const now = Date.now();
  if (now - (lastBusyLog.get(services) ?? 0) < 10_000) return;
  lastBusyLog.set(services, now);
  services.log.warn({ source, limitBytes: services.config.ingestMaxPendingBytes }, "refusing events with 503: too many are waiting to be stored (is the database slow?)");
}

/** 503 with `Retry-After` (whole seconds): nothing was stored, the sender may come back then. */
function retryLater(res: Response, afterMs: number, reason: string): void {
  res.set("retry-after", String(Math.ceil(afterMs / 1000)));
  sendError(res, 503, reason);
}

function ignore(res: Response, ignored: Ignored): void {
  res.status(ignored.status ?? 202).json(ignored.body ?? { accepted: false, ignored: ignored.ignore });
}

function defaultAnswer(res: Response, result: IngestResult): void {
  res.status(result.duplicate ? 200 : 204).end();
}

/**
 * verify → parse → scope → ingest → answer: the one receiving step of every front door and inbound
 * route. A token already used for another delivery (`IngestResult.replay`) is 401. No work beyond
 * the receiver's own steps and the one `ingest` call (the hot path of every webhook).
 */
export function acceptDelivery<S extends VerifiedSender, P>(services: Services, receiver: DeliveryReceiver<S, P>): RequestHandler {
  return async (req, res, next) => {
    try {
      const sender = await receiver.verify(req, res);
      if (isRefusal(sender)) return sendError(res, sender.refuse, sender.reason);
      if (isIgnored(sender)) return ignore(res, sender);
      const parsed = receiver.parse(req, sender);
      if (isRefusal(parsed)) return sendError(res, parsed.refuse, parsed.reason);
      if (isIgnored(parsed)) return ignore(res, parsed);
      const outside = receiver.scope?.(parsed, sender);
      if (outside) return sendError(res, outside.refuse, outside.reason);
      // The body is stored as received (payloadJson): its parsed tree is not needed while the store
      // waits for its group commit, and dropping it lets it die young (issue 17: GC was the largest cost).
      if (parsed.payloadJson !== undefined) req.body = undefined;
      let result: IngestResult;
      try {
        result = await ingest(services, { installationId: sender.installation.id, source: receiver.source, ...parsed });
      } catch (err) {
        if (err instanceof IngestBusyError) {
          // Load shedding, not a failure: nothing was stored and the sender is told when to come back.
          busyLog(services, receiver.source);
          return retryLater(res, err.retryAfterMs, err.message);
        }
        if (receiver.storeFailure !== "retry-later") throw err;
        services.log.error({ err, installationId: sender.installation.id, source: receiver.source }, "storing a delivery failed");
        return retryLater(res, 5_000, "could not store the event, retry later");
      }
      if (result.replay) return sendError(res, 401, "replayed token");
      (receiver.answer ?? defaultAnswer)(res, result, sender);
    } catch (err) {
      next(err);
    }
  };
}
