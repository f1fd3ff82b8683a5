import type { AgeLevel, BuildSummary, PanelRow, PanelSection, RadarPerson, RadarPullRequest, SectionId } from "./model";
import type { ReviewRadarSettings } from "./settings";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Rows a section shows before "Show all" (issue 18: a panel that fits the sidebar); build statuses are looked up for these only. */
export const PANEL_ROWS_PER_SECTION = 5;
export const SECTION_ORDER: SectionId[] = ["needsYourReview", "needsReview", "waitingOnAuthor", "yours", "drafts"];

type RadarOptions = Pick<ReviewRadarSettings, "requiredApprovals" | "drafts" | "ageFrom" | "ageWarnDays" | "ageAlertDays">;

/** The viewer's id from the host (an account id or a `{uuid}`) matched against a person. */
export function isViewer(p: RadarPerson, viewer: string | null): boolean {
  if (!viewer) return false;
  const v = viewer.toLowerCase();
  return p.accountId?.toLowerCase() === v || p.uuid?.toLowerCase() === v;
}

export function approvalsOf(pr: RadarPullRequest): number {
  return pr.participants.filter((p) => p.state === "approved" && !isSameAsAuthor(pr, p)).length;
}

function isSameAsAuthor(pr: RadarPullRequest, p: RadarPerson): boolean {
  return (!!p.accountId && p.accountId === pr.author.accountId) || (!!p.uuid && p.uuid === pr.author.uuid);
}

export function changesRequested(pr: RadarPullRequest): boolean {
  return pr.participants.some((p) => p.state === "changes_requested");
}

export function ageStart(pr: RadarPullRequest, ageFrom: RadarOptions["ageFrom"]): number {
  const t = Date.parse(ageFrom === "updated" ? pr.updatedOn : pr.createdOn);
  return Number.isNaN(t) ? 0 : t;
}

export function ageLevel(ageMs: number, o: Pick<RadarOptions, "ageWarnDays" | "ageAlertDays">): AgeLevel {
  if (ageMs >= o.ageAlertDays * DAY_MS) return "alert";
  if (ageMs >= o.ageWarnDays * DAY_MS) return "warn";
  return "fresh";
}

/**
 * Where a PR goes for a viewer, or null when it needs nothing (enough approvals, a hidden draft):
 * drafts apart (or hidden); the viewer's own PRs apart; changes requested → waiting on author;
 * fewer approvals than required → needs review, first when the viewer is a reviewer who has not approved.
 */
export function sectionOf(pr: RadarPullRequest, viewer: string | null, o: RadarOptions): SectionId | null {
  if (pr.draft) return o.drafts === "hide" ? null : "drafts";
  if (isViewer(pr.author, viewer)) return "yours";
  if (changesRequested(pr)) return "waitingOnAuthor";
  if (approvalsOf(pr) >= o.requiredApprovals) return null;
  const mine = pr.participants.find((p) => p.role === "REVIEWER" && isViewer(p, viewer));
  return mine && mine.state !== "approved" ? "needsYourReview" : "needsReview";
}

export function toRow(pr: RadarPullRequest, now: number, o: RadarOptions, build: BuildSummary | null): PanelRow {
  const ageMs = Math.max(0, now - ageStart(pr, o.ageFrom));
  return {
    id: pr.id,
    title: pr.title,
    url: pr.url,
    draft: pr.draft,
    author: pr.author,
    createdOn: pr.createdOn,
    updatedOn: pr.updatedOn,
    ageMs,
    ageLevel: ageLevel(ageMs, o),
    approvals: approvalsOf(pr),
    required: o.requiredApprovals,
    reviewers: pr.participants
      .filter((p) => p.role === "REVIEWER" || p.state !== "pending")
      .map((p) => ({ displayName: p.displayName, accountId: p.accountId, avatarUrl: p.avatarUrl, state: p.state })),
    changesRequested: changesRequested(pr),
    sourceCommit: pr.sourceCommit,
    build,
  };
}

/** Groups PRs into the panel's sections, oldest first, each capped at `limitOf(section)` rows (`total` counts them all). */
export function classify(
  prs: RadarPullRequest[],
  viewer: string | null,
  o: RadarOptions,
  now: number,
  buildOf: (commit: string | null) => BuildSummary | null,
  limitOf: (id: SectionId) => number = () => PANEL_ROWS_PER_SECTION,
): PanelSection[] {
  const groups = new Map<SectionId, RadarPullRequest[]>(SECTION_ORDER.map((id) => [id, []]));
  for (const pr of prs) {
    const id = sectionOf(pr, viewer, o);
    if (id) groups.get(id)!.push(pr);
  }
  return SECTION_ORDER.map((id) => {
    const list = groups.get(id)!.sort((a, b) => ageStart(a, o.ageFrom) - ageStart(b, o.ageFrom) || a.id - b.id);
    return { id, total: list.length, rows: list.slice(0, limitOf(id)).map((pr) => toRow(pr, now, o, buildOf(pr.sourceCommit))) };
  });
}

/** What a digest lists: PRs that need review by anyone (not drafts, not waiting on the author), oldest first. */
export function waitingForReview(prs: RadarPullRequest[], o: RadarOptions): RadarPullRequest[] {
  return prs
    .filter((pr) => !pr.draft && !changesRequested(pr) && approvalsOf(pr) < o.requiredApprovals)
    .sort((a, b) => ageStart(a, o.ageFrom) - ageStart(b, o.ageFrom) || a.id - b.id);
}
