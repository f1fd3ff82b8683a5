import type { SetupFacts, SetupStep } from "./registry";

/** "Turn it on and save": done once the saved document has `enabled` and an admin saved it. */
export function turnedOnStep(facts: SetupFacts<{ enabled: boolean }>, label = "Turn it on and save"): SetupStep {
  const done = facts.settings.enabled && facts.savedAt !== null;
  return { id: "enabled", label, done, ...(done ? {} : { detail: "Switch it on above, fill in the fields and save." }) };
}

/**
 * "An event arrives": done once the integration's newest delivery in this repository has been
 * handled (its jobs done, or skipped with a reason). A failed or still running one is not done yet.
 */
export function deliveryStep(facts: SetupFacts<{ enabled: boolean }>, label: string, waiting: string): SetupStep {
  const d = facts.lastDelivery;
  if (!d) return { id: "event", label, done: false, detail: waiting };
  if (d.outcome === "failed") return { id: "event", label, done: false, detail: `The last one failed${d.reason ? `: ${d.reason}` : ""}. See the activity log.` };
  if (d.outcome === "pending") return { id: "event", label, done: false, detail: "One arrived and is being handled." };
  return { id: "event", label, done: true };
}
