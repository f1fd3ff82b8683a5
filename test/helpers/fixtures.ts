import fs from "node:fs";
import path from "node:path";
import { waitDeadline } from "./test-deadline";

/**
 * Vendor payloads and specs the tests read, copied unmodified from the project's reference folder with
 * the same relative layout (provenance of each file: test/fixtures/SOURCES.md).
 */
export const FIXTURES = path.resolve(__dirname, "../fixtures");

/** A vendor payload under test/fixtures, e.g. `bitbucket/webhooks/cloud/repo-push.real-2023.json`. */
export function referenceJson<T = Record<string, unknown>>(relative: string): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, relative), "utf8")) as T;
}

export function bitbucketWebhook<T = Record<string, unknown>>(file: string): T {
  return referenceJson<T>(`bitbucket/webhooks/cloud/${file}`);
}

/** Points a webhook payload at a test repository (keeps every other field of the real payload). */
export function forRepository<T extends { repository?: unknown }>(
  payload: T,
  repo: { uuid: string; fullName: string; workspaceUuid?: string },
): T {
  const [ws, slug] = repo.fullName.split("/");
  const base = (payload.repository ?? {}) as Record<string, unknown>;
  return {
    ...payload,
    repository: {
      ...base,
      uuid: repo.uuid,
      full_name: repo.fullName,
      name: slug,
      workspace: { ...((base.workspace as Record<string, unknown>) ?? {}), slug: ws, uuid: repo.workspaceUuid },
    },
  };
}

/**
 * Polls `probe` until it returns something truthy (returned). No time limit of its own: it waits as
 * long as the running test may (its mocha timeout, `test/helpers/test-deadline.ts`), then fails naming
 * `what`. Tests wait for the condition they assert, never for a time.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, what = "condition"): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > waitDeadline()) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
