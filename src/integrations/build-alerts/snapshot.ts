import { commitOfStatus, type CommitStatusEventPayload } from "../../bitbucket/events";
import type { CommitState } from "./lifecycle";

/** What the targets are told about the status behind an incident (kept with the incident). */
export interface StatusSnapshot {
  key: string;
  state: CommitState;
  name: string | null;
  description: string | null;
  url: string | null;
  refname: string | null;
  commit: string | null;
  createdOn: string | null;
  updatedOn: string | null;
  repository: { uuid: string; fullName: string; htmlUrl: string | null };
}

export function snapshotOf(payload: CommitStatusEventPayload): StatusSnapshot {
  const s = payload.commit_status;
  const links = payload.repository.links as { html?: { href?: string } } | undefined;
  return {
    key: s.key,
    state: s.state,
    name: s.name ?? null,
    description: s.description ?? null,
    url: s.url ?? null,
    refname: s.refname ?? null,
    commit: commitOfStatus(s) ?? null,
    createdOn: s.created_on ?? null,
    updatedOn: s.updated_on ?? null,
    repository: { uuid: payload.repository.uuid, fullName: payload.repository.full_name, htmlUrl: links?.html?.href ?? null },
  };
}

/** When the status happened (its updated_on), for ordering; the receipt time when absent. */
export function statusTime(s: StatusSnapshot, fallback: number): number {
  const t = Date.parse(s.updatedOn ?? s.createdOn ?? "");
  return Number.isNaN(t) ? fallback : t;
}
