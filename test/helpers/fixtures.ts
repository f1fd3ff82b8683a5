import fs from "node:fs";
import path from "node:path";

/** `shared/reference` beside the checkout (or beside its parent folder, for a worktree under `wt/`). */
export const REFERENCE =
  ["../../../shared/reference", "../../../../shared/reference"].map((p) => path.resolve(__dirname, p)).find((p) => fs.existsSync(p)) ??
  path.resolve(__dirname, "../../../shared/reference");

/** A vendor payload from shared/reference, e.g. `bitbucket/webhooks/cloud/repo-push.real-2023.json`. */
export function referenceJson<T = Record<string, unknown>>(relative: string): T {
  return JSON.parse(fs.readFileSync(path.join(REFERENCE, relative), "utf8")) as T;
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

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
