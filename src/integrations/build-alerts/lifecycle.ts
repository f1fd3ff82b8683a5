/**
 * The incident rule (as AlertOps' Bitbucket integration does it):
 *
 * | status      | no incident / closed        | open                     |
 * |-------------|-----------------------------|--------------------------|
 * | FAILED      | open                        | duplicate: nothing new   |
 * | SUCCESSFUL  | nothing to close: ignored   | close                    |
 * | INPROGRESS  | nothing to close: ignored   | close (a re-run started) |
 * | STOPPED     | ignored                     | ignored (stays open)     |
 *
 * A status older than the last one seen for the identity (Bitbucket does not guarantee order) is
 * ignored, so a late FAILED cannot reopen what a newer SUCCESSFUL closed.
 */
export type CommitState = "INPROGRESS" | "SUCCESSFUL" | "FAILED" | "STOPPED";
export type IncidentState = "open" | "closed";

export type Decision = { kind: "open" } | { kind: "close" } | { kind: "ignore"; reason: string; duplicate?: boolean };

export function decide(state: CommitState, current: { state: IncidentState; lastStatusAt: number } | null, eventAt: number): Decision {
  if (current && eventAt < current.lastStatusAt) return { kind: "ignore", reason: "older than the last status seen for this build" };
  const open = current?.state === "open";
  switch (state) {
    case "FAILED":
      return open ? { kind: "ignore", reason: "duplicate: an incident is already open for this build", duplicate: true } : { kind: "open" };
    case "SUCCESSFUL":
    case "INPROGRESS":
      return open ? { kind: "close" } : { kind: "ignore", reason: `${state}: no open incident to close` };
    default:
      return { kind: "ignore", reason: `${state} neither opens nor closes an incident` };
  }
}
