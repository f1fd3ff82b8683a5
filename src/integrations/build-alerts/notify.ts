import { z } from "zod";
import type { HandlerContext, HandlerOutcome } from "../../pipeline/context";
import { findIncident, markSent, parseSnapshot, type IncidentRow, type NotifyJob } from "./incidents";
import type { AlertMessage } from "./message";
import { enabledTargets, TARGETS } from "./settings";
import { TARGET_SENDERS } from "./targets";

export const NotifyJobSchema = z.object({ incidentId: z.string().min(1), seq: z.number().int().min(1), target: z.enum(TARGETS) });

declare module "../../pipeline/events" {
  interface JobMap {
    "build-alerts.notify": NotifyJob;
  }
}

export function messageOf(row: IncidentRow, test = false): AlertMessage {
  return {
    action: row.state === "open" ? "open" : "close",
    test,
    incidentId: row.id,
    dedupKey: row.dedup_key,
    opens: row.opens,
    state: row.state,
    openedAt: row.opened_at === null ? null : Number(row.opened_at),
    closedAt: row.closed_at === null ? null : Number(row.closed_at),
    status: parseSnapshot(row),
  };
}

/**
 * Brings one target to the incident's current state: sends open or close if the target was last told
 * otherwise. Jobs run in any order and any number of times; a stale job (the incident moved on) finds the
 * target already in step, or sends the current state. A 4xx from the target ends the job dead with its
 * answer; 429/5xx/network errors are retried.
 */
export async function notifyTarget(ctx: HandlerContext<NotifyJob>): Promise<HandlerOutcome> {
  const { target, incidentId } = ctx.payload;
  const row = await findIncident(ctx.services, ctx.installation.id, incidentId);
  if (!row) return { ignored: "the incident no longer exists" };
  const settings = await ctx.settings("build-alerts");
  if (!enabledTargets(settings).includes(target)) return { ignored: `${target} is switched off` };
  const sent = row[`sent_${target}`] ?? "closed";
  if (sent === row.state) return { ignored: `${target} already has the incident ${row.state}` };
  const message = messageOf(row);
  const answer = await TARGET_SENDERS[target](ctx.services, settings, message, { deliveryId: ctx.job.id });
  await markSent(ctx.services, row.id, target, row.state);
  return { done: { target, action: message.action, identity: row.dedup_key, status: answer.status } };
}
