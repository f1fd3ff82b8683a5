import type { Readable } from "node:stream";
import type { BitbucketClient } from "../client";
import { PermanentError } from "../../http/errors";

/**
 * The source archive of one commit. Bitbucket Cloud's REST API 2.0 has no archive endpoint; the
 * site serves `/<workspace>/<slug>/get/<sha>.tar.gz` to an authenticated user (here: the
 * installation's OAuth bearer token), redirecting to a storage host. The body is streamed, never
 * buffered; Bitbucket wraps the tree in one top-level folder (`<ws>-<slug>-<short sha>/`).
 * A missing commit answers 404 (an HttpError the worker treats as permanent).
 */
export async function downloadCommitArchive(
  bitbucket: BitbucketClient,
  workspace: string,
  slug: string,
  commit: string,
): Promise<{ body: Readable; length?: number }> {
  if (!/^[0-9a-f]{7,64}$/i.test(commit)) throw new PermanentError(`not a commit hash: ${commit.slice(0, 80)}`);
  return bitbucket.download(`/${encodeURIComponent(workspace)}/${encodeURIComponent(slug)}/get/${commit}.tar.gz`);
}
