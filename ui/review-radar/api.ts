import type { Transport } from "../lib/transport";
import type { BuildSummary, PanelSection, PanelView, SectionId } from "../../src/integrations/review-radar/model";

export type { BuildSummary, PanelRow, PanelSection, PanelView, SectionId } from "../../src/integrations/review-radar/model";

const STATUS_CHUNK = 50;

/** The panel: every section's count and first rows (all rows of `expand`). `GET /review-radar/panel`. */
export function loadPanel(t: Transport, repoUuid: string, repoPath: string | null, expand?: SectionId): Promise<PanelView> {
  const q = new URLSearchParams({ repoUuid });
  if (repoPath) q.set("repoPath", repoPath);
  if (expand) q.set("expand", expand);
  return t.get<PanelView>(`/review-radar/panel?${q.toString()}`);
}

/**
 * "Show all": every row of one section, then the build statuses of its rows not known yet — the
 * lookups the first load left out. Resolves with the section, builds filled in where known.
 */
export async function expandSection(t: Transport, repoUuid: string, repoPath: string | null, id: SectionId): Promise<{ section: PanelSection; missing: string[] }> {
  const view = await loadPanel(t, repoUuid, repoPath, id);
  const section = view.sections.find((s) => s.id === id);
  if (!section) throw new Error(`the panel has no section ${id}`);
  return { section, missing: view.missingStatuses };
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

/** The panel with one section replaced (expanded), keeping builds already known. */
export function withSection(view: PanelView, section: PanelSection, missing: string[]): PanelView {
  return { ...view, missingStatuses: [...new Set([...view.missingStatuses, ...missing])], sections: view.sections.map((s) => (s.id === section.id ? section : s)) };
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
