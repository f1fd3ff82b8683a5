import type { Readable } from "node:stream";
import { PermanentError } from "../../http/errors";
import type { DcRepoAddress } from "./address";
import type { DataCenterClient } from "./client";

/** The archive's one top-level folder, as Cloud's (`<project>-<slug>-<12-char sha>`, `~` dropped from personal keys). */
export function dcArchivePrefix(at: DcRepoAddress, commit: string): string {
  return `${at.projectKey.replace(/^~/, "").toLowerCase()}-${at.slug}-${commit.slice(0, 12).toLowerCase()}/`;
}

/**
 * The source tree of one commit as `.tar.gz`, streamed, never buffered:
 * `GET /rest/api/latest/projects/{p}/repos/{r}/archive?at=<sha>&format=tar.gz&prefix=…` (REPO_READ;
 * 9.2 spec "Stream archive of repository"), with the service token as Bearer on the instance's own
 * origin only (a redirect elsewhere is followed without it). DC puts entries at the root unless
 * `prefix` is given; the prefix wraps them in one top-level folder, as Cloud's download does, so
 * consumers read one shape. PermanentError for a malformed hash; a missing commit is DC's 404.
 */
export async function downloadDcArchive(client: DataCenterClient, at: DcRepoAddress, commit: string): Promise<{ body: Readable; length?: number }> {
  if (!/^[0-9a-f]{7,64}$/i.test(commit)) throw new PermanentError(`not a commit hash: ${commit.slice(0, 80)}`);
  return client.download(client.url(`${at.path}/archive`, { at: commit, format: "tar.gz", prefix: dcArchivePrefix(at, commit) }));
}
