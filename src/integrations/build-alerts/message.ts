import type { IncidentState } from "./lifecycle";
import type { StatusSnapshot } from "./snapshot";

/** One thing to tell a target: an incident opened or closed (or a test). */
export interface AlertMessage {
  action: "open" | "close";
  test: boolean;
  incidentId: string;
  /** PagerDuty dedup_key, AlertOps Source Id, the webhook's incident identity. */
  dedupKey: string;
  /** How many times this identity has opened (1 for the first incident). */
  opens: number;
  state: IncidentState;
  openedAt: number | null;
  closedAt: number | null;
  /** The status that opened or closed the incident. */
  status: StatusSnapshot;
}

const short = (hash: string | null) => (hash ? hash.slice(0, 7) : "?");

/** "Build FAILED: acme/widgets main @ abcd0b7 (Widgets #42)" */
export function summaryOf(m: AlertMessage): string {
  const s = m.status;
  const where = `${s.repository.fullName}${s.refname ? ` ${s.refname}` : ""} @ ${short(s.commit)}`;
  const what = m.action === "open" ? `Build ${s.state}` : `Build recovered (${s.state})`;
  return `${m.test ? "[TEST] " : ""}${what}: ${where}${s.name ? ` (${s.name})` : ""}`.slice(0, 1024);
}
