import type { Transport } from "../lib/transport";
import type { CsvTable, InsightsView, InsightsWindow } from "../../src/integrations/review-insights/model";

export type { CsvTable, InsightsView, InsightsWindow } from "../../src/integrations/review-insights/model";

const base = (repoUuid: string) => `/repositories/${encodeURIComponent(repoUuid)}/insights`;

/** The figures of the last `days` days and the backfill's progress. `GET …/insights?days=`. */
export function loadInsights(t: Transport, repoUuid: string, days: InsightsWindow): Promise<InsightsView> {
  return t.get<InsightsView>(`${base(repoUuid)}?days=${days}`);
}

/** Switches insights on (a backfill starts) or off. Admins only. */
export function setInsightsOn(t: Transport, repoUuid: string, enabled: boolean): Promise<InsightsView> {
  return t.put<InsightsView>(base(repoUuid), { enabled });
}

/** Reads the history again, or resumes a failed backfill. Admins only. */
export function startBackfill(t: Transport, repoUuid: string): Promise<InsightsView> {
  return t.post<InsightsView>(`${base(repoUuid)}/backfill`, {});
}

/** One table as CSV text (the transports hand back a body that is not JSON as text). */
export async function fetchCsv(t: Transport, repoUuid: string, days: InsightsWindow, table: CsvTable): Promise<string> {
  const body = await t.get<unknown>(`${base(repoUuid)}/csv?days=${days}&table=${table}`);
  if (typeof body !== "string") throw new Error("the CSV did not arrive");
  return body;
}

/** Saves text as a file through a Blob URL and a temporary `<a download>`. */
export function saveFile(name: string, text: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
