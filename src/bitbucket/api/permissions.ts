import { z } from "zod";
import type { BitbucketClient, Page } from "../client";

export type RepositoryPermissionLevel = "admin" | "write" | "read" | "none";

const PermissionSchema = z.object({
  permission: z.enum(["admin", "write", "read", "none"]).optional(),
  user: z.object({ account_id: z.string().optional(), uuid: z.string().optional() }).passthrough().optional(),
  repository: z.object({ uuid: z.string().optional(), full_name: z.string().optional() }).passthrough().optional(),
});

export interface RepositoryPermission {
  permission: RepositoryPermissionLevel;
  repository: { uuid: string | null; fullName: string | null };
}

/** Bitbucket's filter language wants string literals double-quoted, with `"` and `\` escaped. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * One user's effective permission on one repository:
 * `GET /2.0/workspaces/{workspace}/permissions/repositories/{repo_slug}?q=user.account_id="…"`
 * (or `user.uuid` when the user is named by `{uuid}`).
 * Workspace and repository may be given as slugs or `{uuid}`s. A user without any permission
 * has no entry: that is `none`. The app itself may read this list (the endpoint is admin-only for users).
 */
export async function repositoryPermissionOf(
  client: BitbucketClient,
  workspace: string,
  repository: string,
  accountId: string,
): Promise<RepositoryPermission> {
  const path = `/2.0/workspaces/${encodeURIComponent(workspace)}/permissions/repositories/${encodeURIComponent(repository)}`;
  // Older tokens name the user by `{uuid}` rather than account id.
  const byUuid = /^\{[0-9a-fA-F-]{36}\}$/.test(accountId);
  const field = byUuid ? "user.uuid" : "user.account_id";
  const page = await client.get<Page<unknown>>(path, { q: `${field}=${quote(accountId)}` });
  for (const raw of page?.values ?? []) {
    const entry = PermissionSchema.safeParse(raw);
    if (!entry.success) continue;
    const named = byUuid ? entry.data.user?.uuid?.toLowerCase() : entry.data.user?.account_id;
    if (named !== undefined && named !== (byUuid ? accountId.toLowerCase() : accountId)) continue;
    return {
      permission: entry.data.permission ?? "none",
      repository: { uuid: entry.data.repository?.uuid ?? null, fullName: entry.data.repository?.full_name ?? null },
    };
  }
  return { permission: "none", repository: { uuid: null, fullName: null } };
}
