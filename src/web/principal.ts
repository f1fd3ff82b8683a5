import type { NextFunction, Request, Response } from "express";
import type { InstallationView } from "../core/installations";
import type { HostKind } from "../models/installation";
import type { RepositoryPermission, RepositoryRef } from "../bitbucket/host-api";
import { sendError } from "./errors";

/** Who is calling the app's own API, as established by a front door (Connect JWT, Forge FIT). */
export interface Principal {
  installation: InstallationView;
  /** The Bitbucket account id of the viewing user, when the host tells it. */
  accountId: string | null;
  host: HostKind;
  /**
   * The repository the host rendered the calling page for (Connect: the page's qsh-verified
   * `repoUuid`, carried in its context token; Forge: the module's context). When set, the API refuses
   * requests that name another repository.
   */
  repositoryUuid?: string | null;
  /**
   * How to ask the host for this user's permission on a repository when the door holds the user's own
   * credential (Data Center: the user's OAuth token). Absent: the installation's
   * `BitbucketApi.permissionOf` with its own credential. May throw `CredentialEndedError`.
   */
  permissionOf?: (repo: RepositoryRef) => Promise<RepositoryPermission>;
}

/** The user's own credential with the host has ended (refused or expired grant): 401, log in again. */
export class CredentialEndedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CredentialEndedError";
  }
}

export function setPrincipal(res: Response, principal: Principal): void {
  res.locals.principal = principal;
}

export function principalOf(res: Response): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw new Error("route is mounted without a front door's authentication");
  return p;
}

/** Guard for routers mounted by a front door: refuses a request no authenticator vouched for. */
export function requirePrincipal(_req: Request, res: Response, next: NextFunction): void {
  if (!res.locals.principal) return sendError(res, 401, "not authenticated");
  next();
}
