import type { BuildPhase } from "../../core/build-phase";

/**
 * The incident rule, under the repository's paging policy (docs/integrations/build-alerts.md#paging-policy):
 *
 * | status                       | no incident / closed                      | open                                   |
 * |------------------------------|-------------------------------------------|----------------------------------------|
 * | FAILED, build finished       | open                                      | duplicate: nothing new                 |
 * | FAILED, build still running  | open only with `openWhen: "failing"`      | duplicate: nothing new                 |
 * | SUCCESSFUL                   | nothing to close: ignored                 | close                                  |
 * | INPROGRESS (a new run)       | nothing to close: ignored                 | close only with `resolveWhen: "passedOrRunning"` |
 * | STOPPED                      | ignored                                   | ignored (stays open)                   |
 *
 * Defaults (`openWhen: "failed"`, `resolveWhen: "passed"`): a page means a build ended failed, and
 * only a later success ends it; a job that fails and passes on retry pages nobody. Whether a FAILED
 * build is still running comes from the status's producer (src/core/build-phase.ts: Buildkite's
 * `failing`); other statuses count as finished. A status older than the last one seen for the
 * identity (Bitbucket does not guarantee order) is ignored, so a late FAILED cannot reopen what a
 * newer SUCCESSFUL closed.
 */
export type CommitState = "INPROGRESS" | "SUCCESSFUL" | "FAILED" | "STOPPED";
export type IncidentState = "open" | "closed";

export type Decision = { kind: "open" } | { kind: "close" } | { kind: "ignore"; reason: string; duplicate?: boolean };

/** When an incident opens and when it resolves (the build-alerts settings `openWhen`, `resolveWhen`). */
export interface PagingPolicy {
  /** `failed`: a finished build failed. `failing`: already when a job failed and the build still runs. */
  openWhen: "failed" | "failing";
  /** `passed`: a later successful status. `passedOrRunning`: also a new run starting (INPROGRESS). */
  resolveWhen: "passed" | "passedOrRunning";
}

export const DEFAULT_PAGING_POLICY: PagingPolicy = { openWhen: "failed", resolveWhen: "passed" };

export function decide(
  state: CommitState,
  current: { state: IncidentState; lastStatusAt: number } | null,
  eventAt: number,
  policy: PagingPolicy = DEFAULT_PAGING_POLICY,
  phase: BuildPhase = "finished",
): Decision {
  if (current && eventAt < current.lastStatusAt) return { kind: "ignore", reason: "older than the last status seen for this build" };
  const open = current?.state === "open";
  switch (state) {
    case "FAILED":
      if (open) return { kind: "ignore", reason: "duplicate: an incident is already open for this build", duplicate: true };
      if (phase === "running" && policy.openWhen === "failed") {
        return { kind: "ignore", reason: "a job failed but the build is still running: paging policy opens when the build has finished failed" };
      }
      return { kind: "open" };
    case "SUCCESSFUL":
      return open ? { kind: "close" } : { kind: "ignore", reason: `${state}: no open incident to close` };
    case "INPROGRESS":
      if (!open) return { kind: "ignore", reason: `${state}: no open incident to close` };
      return policy.resolveWhen === "passedOrRunning"
        ? { kind: "close" }
        : { kind: "ignore", reason: "a new run started: paging policy resolves on a later success" };
    default:
      return { kind: "ignore", reason: `${state} neither opens nor closes an incident` };
  }
}
