/** What the radar keeps of a pull request (cached per repository, read by the panel and the digest). */
export interface RadarPerson {
  accountId: string | null;
  uuid: string | null;
  displayName: string;
  avatarUrl: string | null;
}

export type ReviewState = "approved" | "changes_requested" | "pending";

export interface RadarParticipant extends RadarPerson {
  role: "REVIEWER" | "PARTICIPANT";
  state: ReviewState;
}

export interface RadarPullRequest {
  id: number;
  title: string;
  url: string | null;
  draft: boolean;
  author: RadarPerson;
  createdOn: string;
  updatedOn: string;
  sourceBranch: string | null;
  destinationBranch: string | null;
  /** The source commit as the list gives it (abbreviated to 12 characters by Bitbucket). */
  sourceCommit: string | null;
  /** Reviewers (requested) and other participants who approved or requested changes. */
  participants: RadarParticipant[];
}

export type BuildState = "SUCCESSFUL" | "FAILED" | "INPROGRESS" | "STOPPED";

export interface BuildSummary {
  /** The worst state among the commit's latest statuses (FAILED > STOPPED > INPROGRESS > SUCCESSFUL). */
  state: BuildState;
  failing: boolean;
  /** The status that decided the state. */
  name: string | null;
  url: string | null;
  count: number;
}

export type AgeLevel = "fresh" | "warn" | "alert";

export interface PanelRow {
  id: number;
  title: string;
  url: string | null;
  draft: boolean;
  author: RadarPerson;
  createdOn: string;
  updatedOn: string;
  ageMs: number;
  ageLevel: AgeLevel;
  approvals: number;
  required: number;
  reviewers: Array<{ displayName: string; accountId: string | null; avatarUrl: string | null; state: ReviewState }>;
  changesRequested: boolean;
  sourceCommit: string | null;
  /** null: no build reported (or not known yet, see `PanelView.missingStatuses`). */
  build: BuildSummary | null;
}

export type SectionId = "needsYourReview" | "needsReview" | "waitingOnAuthor" | "yours" | "drafts";

export interface PanelSection {
  id: SectionId;
  total: number;
  /** Oldest first; at most `PANEL_ROWS_PER_SECTION`, all of them in the section the viewer expanded (`?expand=`). */
  rows: PanelRow[];
}

export interface PanelView {
  repository: { uuid: string; fullName: string | null };
  viewer: { accountId: string | null };
  settings: { requiredApprovals: number; ageWarnDays: number; ageAlertDays: number; drafts: "separate" | "hide"; ageFrom: "created" | "updated" };
  generatedAt: number;
  /** When the pull requests were fetched from Bitbucket (the cache's age). */
  fetchedAt: number;
  fromCache: boolean;
  openPullRequests: number;
  sections: PanelSection[];
  /** Source commits of shown rows whose build status is not known yet: ask `POST /review-radar/statuses`. */
  missingStatuses: string[];
}
