import { PermanentError } from "../../http/errors";
import type { BuildState, BuildStatusReport, CommitBuildStatus } from "../host-api";
import type { DcRepoAddress } from "./address";
import type { DcBuildCapabilities } from "./capabilities";
import type { DataCenterClient } from "./client";

/** `RestBuildStatusSetRequest.key` maxLength (9.2 spec); the legacy resource has the same 255 limit. */
export const DC_STATUS_KEY_MAX = 255;
/** `RestBuildStatusSetRequest.url` maxLength (9.2 spec; legacy: "except for the url, limited to 450"). */
export const DC_STATUS_URL_MAX = 450;
const TEXT_MAX = 255;
/** `RestBuildStatusSetRequest.buildNumber` maxLength (9.2 spec). */
export const DC_BUILD_NUMBER_MAX = 255;

/** DC's build states (9.2 spec enum of `RestBuildStatus.state`). */
export type DcBuildState = "SUCCESSFUL" | "FAILED" | "INPROGRESS" | "CANCELLED" | "UNKNOWN";

/** `RestBuildStatus` as both resources answer it (`dateAdded` is the legacy resource's time field). */
export interface DcBuildStatus {
  key: string;
  state: DcBuildState;
  name?: string;
  url?: string;
  description?: string;
  ref?: string;
  buildNumber?: string;
  /** Milliseconds. */
  duration?: number;
  createdDate?: number;
  updatedDate?: number;
  dateAdded?: number;
  repository?: { id?: number };
}

/**
 * The wire state of a neutral state. `STOPPED` is `CANCELLED` only when the instance advertises
 * `cancelledStatus` (Atlassian's Jenkins plugin rule; the legacy resource documents only
 * SUCCESSFUL/FAILED/INPROGRESS). Otherwise it is posted as `FAILED`: the one state every DC version
 * accepts that does not read as a pass, so a stopped build never satisfies a required-builds merge
 * check; `UNKNOWN` is not used because servers without `cancelledStatus` may refuse it too
 * (UNVERIFIED) and it would show the commit as if no result were coming. The description says
 * "Stopped" so a reader can tell it from a real failure.
 */
export function dcStateOf(state: BuildState, caps: DcBuildCapabilities): DcBuildState {
  if (state !== "STOPPED") return state;
  return caps.cancelled && caps.repositoryBuilds ? "CANCELLED" : "FAILED";
}

/** The neutral state of a DC state: CANCELLED and UNKNOWN (neither a pass nor a failure, not running) read as STOPPED. */
export function neutralStateOf(state: string): BuildState {
  return state === "SUCCESSFUL" || state === "FAILED" || state === "INPROGRESS" ? state : "STOPPED";
}

/** `main` → `refs/heads/main`; a fully qualified ref is kept (the spec's `ref` pattern is `^refs/.*`). */
export function qualifiedRef(refname: string): string {
  return refname.startsWith("refs/") ? refname : `refs/heads/${refname}`;
}

/**
 * PermanentError for what DC would refuse (400 "build key was blank or longer than 255 characters",
 * "build status url was blank or longer than 450 characters", 9.2 spec): a key of 0 or over 255
 * characters, no URL, a URL over 450. The URL is never cut here: callers fit it to
 * `limits.statusUrlMax` with a link that still leads somewhere (Buildkite: `mapping.ts` `buildUrl`).
 */
export function checkDcStatus(status: BuildStatusReport): void {
  if (!status.key || status.key.length > DC_STATUS_KEY_MAX) throw new PermanentError(`status key must be 1-${DC_STATUS_KEY_MAX} characters on Bitbucket Data Center`);
  if (!status.url) throw new PermanentError("Bitbucket Data Center requires a build status URL");
  if (status.url.length > DC_STATUS_URL_MAX) throw new PermanentError(`build status URL must be at most ${DC_STATUS_URL_MAX} characters on Bitbucket Data Center`);
}

/** The fields both resources take (the legacy one documents no others): key, state, url, name, description. */
function body(status: BuildStatusReport & { url: string }, caps: DcBuildCapabilities): Record<string, string | number> {
  const state = dcStateOf(status.state, caps);
  const stopped = status.state === "STOPPED" && state === "FAILED";
  const out: Record<string, string | number> = { key: status.key, state, url: status.url };
  if (status.name) out.name = status.name.slice(0, TEXT_MAX);
  const description = stopped ? `Stopped${status.description ? `: ${status.description}` : ""}` : status.description;
  if (description) out.description = description.slice(0, TEXT_MAX);
  return out;
}

/**
 * The repository-based resource's own fields (`RestBuildStatusSetRequest`, 9.2 spec): `ref` (fully
 * qualified), `buildNumber` (string ≤ 255; a longer one is left out: a cut identifier would name
 * another run) and `duration` (integer milliseconds ≥ 0; anything else is left out).
 */
function repositoryBuildFields(status: BuildStatusReport): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (status.refname) out.ref = qualifiedRef(status.refname);
  if (status.buildNumber && status.buildNumber.length <= DC_BUILD_NUMBER_MAX) out.buildNumber = status.buildNumber;
  if (typeof status.durationMs === "number" && Number.isFinite(status.durationMs) && status.durationMs >= 0) out.duration = Math.round(status.durationMs);
  return out;
}

/**
 * Posts a commit's build status (same key overwrites). With the repository-based resource
 * (`POST /api/latest/projects/{p}/repos/{r}/commits/{sha}/builds`, REPO_READ, 204; with `ref` fully
 * qualified, `buildNumber` and `duration` in ms) when the instance has it, else the legacy
 * `POST /build-status/latest/commits/{sha}` (LICENSED user; key, state, url, name and description
 * only: it documents no `ref`, `buildNumber` or `duration`). PermanentError before any call for a
 * key over 255 or a URL over 450 characters, or no URL (DC requires one).
 */
export async function postDcBuildStatus(client: DataCenterClient, at: DcRepoAddress, commit: string, status: BuildStatusReport, caps: DcBuildCapabilities): Promise<void> {
  checkDcStatus(status);
  const out = body(status as BuildStatusReport & { url: string }, caps);
  if (!caps.repositoryBuilds) {
    await client.post(`/build-status/latest/commits/${encodeURIComponent(commit)}`, out);
    return;
  }
  await client.post(`${at.path}/commits/${encodeURIComponent(commit)}/builds`, { ...out, ...repositoryBuildFields(status) });
}

function iso(ms: number | undefined): string | null {
  return typeof ms === "number" && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function readDcStatus(s: DcBuildStatus): CommitBuildStatus {
  return {
    key: s.key,
    state: neutralStateOf(s.state),
    name: s.name ?? null,
    url: s.url ?? null,
    refname: s.ref ? s.ref.replace(/^refs\/heads\//, "") : null,
    updatedOn: iso(s.updatedDate ?? s.dateAdded ?? s.createdDate),
  };
}

/**
 * A commit's build statuses, newest first. DC has no list on the repository-based resource (get and
 * delete need `?key=`), so this reads the legacy `GET /build-status/latest/commits/{sha}?orderBy=NEWEST`
 * (paged; DC keeps "the most recent 100"; LICENSED user). Statuses are per commit there: one that
 * names another repository (`repository.id`, DC 9.4+, e.g. a fork sharing the commit) is left out.
 * `max` bounds the statuses read (one page of 100 for a panel).
 */
export async function listDcBuildStatuses(client: DataCenterClient, at: DcRepoAddress, commit: string, max = Infinity): Promise<CommitBuildStatus[]> {
  const all = await client.dcAll<DcBuildStatus>(`/build-status/latest/commits/${encodeURIComponent(commit)}`, { orderBy: "NEWEST" }, max);
  return all.filter((s) => s.repository?.id === undefined || s.repository.id === at.repositoryId).map(readDcStatus);
}
