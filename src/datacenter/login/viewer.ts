import type { Request } from "express";
import type { DataCenterInstanceConfig } from "../../config/datacenter";
import type { InstallationView } from "../../core/installations";
import { repositories } from "../../core/repositories";
import type { Services } from "../../core/services";
import type { Principal } from "../../web/principal";
import { SessionError, type CookieSessions, type VerifiedSession } from "../../web/session/cookie-session";
import { dataCenterClientKey } from "../installations";
import { LoginRequiredError, type DcUserGrants } from "./grants";
import type { DcUserGrant } from "./models";
import { DcUserApi } from "./user-api";

/** What the DC door's login pieces share (one per app instance, built by the door's mount). */
export interface DcLoginContext {
  services: Services;
  sessions: CookieSessions;
  grants: DcUserGrants;
}

/** The logged-in DC user of a request: session, instance, installation, stored grant, and DC as they see it. */
export interface DcViewer {
  session: VerifiedSession;
  instance: DataCenterInstanceConfig;
  installation: InstallationView;
  grant: DcUserGrant;
  api: DcUserApi;
  principal: Principal;
}

export function configuredInstance(services: Services, instanceId: unknown): DataCenterInstanceConfig | null {
  return services.config.dataCenter.instances.find((i) => i.id === instanceId) ?? null;
}

export function instanceInstallation(services: Services, instance: DataCenterInstanceConfig): Promise<InstallationView | null> {
  return services.installations.findByClientKey("datacenter", dataCenterClientKey(instance.id));
}

/**
 * The DC user of a request, from the session cookie only (never a header or parameter the browser
 * could set): the session must be a Data Center installation's, of an instance still configured,
 * and its user must still hold a grant (logging out deletes it, so a copied cookie stops working).
 * Throws `SessionError` 401 otherwise. The Principal's account id is the DC user slug (what
 * `HostPerson.accountId` means on DC); its permission checks use the user's own token.
 */
export async function dcViewer(ctx: DcLoginContext, req: Request): Promise<DcViewer> {
  return dcViewerOf(ctx, await ctx.sessions.verify(req));
}

/** `dcViewer` for a session already verified (`sessionAuth`). */
export async function dcViewerOf(ctx: DcLoginContext, session: VerifiedSession): Promise<DcViewer> {
  const { installation } = session.principal;
  const instance = installation.host === "datacenter" ? configuredInstance(ctx.services, installation.hostScope) : null;
  if (!instance) throw new SessionError(401, "this session is not a Bitbucket Data Center login");
  const grant = session.userId ? await ctx.grants.find(installation.id, session.userId) : null;
  if (!grant) throw new SessionError(401, new LoginRequiredError().message);
  const api = new DcUserApi(ctx.services.http, instance, ctx.grants, grant.id);
  const principal: Principal = {
    installation,
    accountId: grant.slug,
    host: "datacenter",
    repositoryUuid: null,
    permissionOf: async (repo) => {
      const known = await repositories.get(installation.id, repo.id);
      const projectKey = known?.displayName?.split("/")[0] || null;
      return api.permissionOf(repo, projectKey);
    },
  };
  return { session, instance, installation, grant, api, principal };
}
