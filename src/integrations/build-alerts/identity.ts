import { createHash } from "node:crypto";
import { nameKey } from "../../core/names";
import { commitOfStatus, type CommitStatusEventPayload } from "../../bitbucket/events";

/**
 * The incident identity: **repository + branch + status key**. A failing build on `main` stays one
 * incident across commits until a later status with the same key on `main` succeeds or starts again.
 * When a status names no branch (`refname` is optional in Bitbucket's payload), the commit stands in
 * for the branch: `commit:<hash>`.
 */
export interface IncidentIdentity {
  /** `branch:<name>` or `commit:<hash>`. */
  scope: string;
  ref: string | null;
  commit: string | null;
  statusKey: string;
  /** sha256 of scope + key, unique per repository in the database. */
  hash: string;
  /** PagerDuty's dedup_key / AlertOps' Source Id: readable, at most 255 characters. */
  dedupKey: string;
}

export function identityOf(payload: CommitStatusEventPayload): IncidentIdentity {
  const status = payload.commit_status;
  const ref = status.refname?.trim() || null;
  const commit = commitOfStatus(status) ?? null;
  const scope = ref ? `branch:${ref}` : `commit:${commit ?? "unknown"}`;
  // The identity is the names' NFC form (src/core/names.ts): one incident whichever form a sender uses.
  const hash = createHash("sha256").update(`${nameKey(scope)}\n${nameKey(status.key)}`).digest("hex");
  const readable = `bitbucket:${payload.repository.full_name}:${ref ?? commit ?? "unknown"}:${status.key}`;
  const dedupKey = readable.length <= 255 ? readable : `bitbucket:${payload.repository.uuid}:${hash}`;
  return { scope, ref, commit, statusKey: status.key, hash, dedupKey };
}
