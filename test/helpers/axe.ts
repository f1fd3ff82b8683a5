import assert from "node:assert/strict";
import fs from "node:fs";
import type { Frame, Page } from "playwright-core";

/** axe-core's browser build (npm `axe-core`), read once. */
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export type AxeImpact = "minor" | "moderate" | "serious" | "critical";

/** One failed axe rule: its id (https://dequeuniversity.com/rules/axe/4.x/<id>), impact, and the offending elements' selectors. */
export interface AxeViolation {
  id: string;
  impact: AxeImpact | null;
  help: string;
  nodes: string[];
}

interface AxeResults {
  violations: { id: string; impact?: AxeImpact | null; help: string; nodes: { target: unknown[] }[] }[];
}

/**
 * Runs axe-core (every rule of its default set: WCAG 2.x A/AA and best practices) on a page or an
 * iframe's document and returns its violations. axe is injected with Playwright's `evaluate`, which
 * the pages' CSP (`script-src 'self'`) does not govern, so the page under test keeps its real headers.
 */
export async function axeViolations(target: Page | Frame): Promise<AxeViolation[]> {
  const loaded = await target.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== "undefined");
  if (!loaded) await target.evaluate(AXE_SOURCE);
  const results = await target.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: Document, o: object): Promise<AxeResults> } }).axe;
    return axe.run(document, { resultTypes: ["violations"] });
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact ?? null,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.map(String).join(" ")),
  }));
}

/** Fails with a readable list when axe finds any violation of impact `serious` or `critical` (issue 18: 0 allowed). */
export async function assertAxeClean(target: Page | Frame, what: string): Promise<AxeViolation[]> {
  const all = await axeViolations(target);
  const severe = all.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    severe.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).join(", ")}`),
    [],
    `axe-core: serious/critical violations on ${what}`,
  );
  return all;
}
