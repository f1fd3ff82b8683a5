import type { Transport } from "../lib/transport";
import type { BuildSummary, PanelView } from "../../src/integrations/review-radar/model";

export type { BuildSummary, PanelRow, PanelSection, PanelView, SectionId } from "../../src/integrations/review-radar/model";

const STATUS_CHUNK = 50;

export function loadPanel(t: Transport, repoUuid: string, repoPath: string | null): Promise<PanelView> {
  const q = new URLSearchParams({ repoUuid });
  if (repoPath) q.set("repoPath", repoPath);
  return t.get<PanelView>(`/review-radar/panel?${q.toString()}`);
}

/** Build statuses the panel did not know yet, asked in chunks the API accepts. */
export async function loadStatuses(t: Transport, repoUuid: string, commits: string[]): Promise<Record<string, BuildSummary | null>> {
  const out: Record<string, BuildSummary | null> = {};
  for (let i = 0; i < commits.length; i += STATUS_CHUNK) {
    const res = await t.post<{ builds: Record<string, BuildSummary | null> }>("/review-radar/statuses", {
      repoUuid,
      commits: commits.slice(i, i + STATUS_CHUNK),
    });
    Object.assign(out, res.builds);
  }
  return out;
}

/** The panel with looked-up builds filled into its rows. */
export function withBuilds(view: PanelView, builds: Record<string, BuildSummary | null>): PanelView {
  return {
    ...view,
    missingStatuses: view.missingStatuses.filter((c) => !(c in builds)),
    sections: view.sections.map((s) => ({
      ...s,
      rows: s.rows.map((r) => (r.sourceCommit && r.sourceCommit in builds ? { ...r, build: builds[r.sourceCommit] ?? null } : r)),
    })),
  };
}
