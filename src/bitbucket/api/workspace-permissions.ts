import { z } from "zod";
import type { BitbucketClient, Page } from "../client";

/** A user's membership of a workspace: `owner` is a workspace admin (Bitbucket's "List user permissions in a workspace"). */
export type WorkspacePermissionLevel = "owner" | "collaborator" | "member" | "none";

const MembershipSchema = z.object({
  permission: z.enum(["owner", "collaborator", "member"]).optional(),
  user: z.object({ account_id: z.string().optional(), uuid: z.string().optional() }).passthrough().optional(),
});

function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * One user's permission in a workspace:
 * `GET /2.0/workspaces/{workspace}/permissions?q=user.account_id="…"` (or `user.uuid` for a `{uuid}`),
 * asked with the installation's own credentials. A user with no entry is not a member: `none`.
 * Errors: the client's HttpError (403 when the credential may not list the workspace's members).
 */
export async function workspacePermissionOf(client: BitbucketClient, workspace: string, accountId: string): Promise<WorkspacePermissionLevel> {
  const byUuid = /^\{[0-9a-fA-F-]{36}\}$/.test(accountId);
  const field = byUuid ? "user.uuid" : "user.account_id";
  const page = await client.get<Page<unknown>>(`/2.0/workspaces/${encodeURIComponent(workspace)}/permissions`, { q: `${field}=${quote(accountId)}` });
  for (const raw of page?.values ?? []) {
    const entry = MembershipSchema.safeParse(raw);
    if (!entry.success) continue;
    const named = byUuid ? entry.data.user?.uuid?.toLowerCase() : entry.data.user?.account_id;
    if (named !== (byUuid ? accountId.toLowerCase() : accountId)) continue;
    return entry.data.permission ?? "none";
  }
  return "none";
}
