import type { Harness } from "../helpers/harness";
import { bitbucketJwt } from "../helpers/jwt";
import { waitFor } from "../helpers/fixtures";
import { apiAs, type ApiClient } from "../web/support";

export const OWNER = "557058:dddddddd-0000-4000-8000-000000000004";
export const MEMBER = "557058:eeeeeeee-0000-4000-8000-000000000005";

export const WORKSPACE_PAGE = "/connect/workspace-defaults";

/** Makes OWNER a workspace admin (`owner`) and MEMBER a plain member of the harness workspace. */
export function grantWorkspace(h: Harness): void {
  h.fake.setWorkspacePermission(h.tenant.workspace.slug, OWNER, "owner");
  h.fake.setWorkspacePermission(h.tenant.workspace.slug, MEMBER, "member");
}

/** Opens the workspace-defaults page as Bitbucket's iframe would (signed `jwt`); returns its API token (bound to no repository). */
export async function workspaceSessionFor(h: Harness, accountId: string): Promise<string> {
  const token = bitbucketJwt("GET", WORKSPACE_PAGE, { clientKey: h.tenant.clientKey, sharedSecret: h.tenant.sharedSecret, sub: accountId });
  const res = await h.get(`${WORKSPACE_PAGE}?jwt=${token}`);
  if (res.status !== 200) throw new Error(`workspace page answered ${res.status}: ${res.text}`);
  const acpt = res.headers["x-acpt"];
  if (typeof acpt !== "string") throw new Error("no X-acpt context token");
  return acpt;
}

export async function workspaceApi(h: Harness, accountId: string): Promise<ApiClient> {
  return apiAs(h, await workspaceSessionFor(h, accountId));
}

export interface RunView {
  id: string;
  status: string;
  total: number;
  done: number;
  updated: number;
}

/** Waits until an apply run has finished (or failed) and returns its last progress answer. */
export async function finishedRun(api: ApiClient, id: string): Promise<RunView> {
  return waitFor(async () => {
    const run = (await api.get(`/workspace/defaults/runs/${id}`)).json<RunView>();
    return run.status === "finished" || run.status === "failed" ? run : undefined;
  }, "the apply run to finish");
}
