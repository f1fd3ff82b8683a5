import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Services } from "../../core/services";
import { principalOf } from "../principal";
import { boundTo } from "../repository-binding";
import { sendError } from "../errors";
import { atLeast, repoPermissions, type AccessLevel, type RepoAccess } from "../permissions";

import { normaliseRepositoryId } from "../../bitbucket/repository-id";

/** A Cloud repository UUID as Bitbucket writes it (`{…}`, lower case), or null when it is not one. */
export function normaliseRepoUuid(raw: unknown): string | null {
  return normaliseRepositoryId(raw, ["cloud"]);
}

/**
 * Guards routes under `/repositories/:repoUuid/…`: the id must be one the caller's door mints (400
 * otherwise: a Cloud installation takes braced UUIDs only) and the viewing account must have at
 * least `min` on that repository (asked of its Bitbucket, cached briefly).
 * Sets `res.locals.repoAccess`.
 */
export function requireRepoAccess(services: Services, min: AccessLevel): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const principal = principalOf(res);
    const uuid = services.bitbucketApis.repositoryId(principal.installation.host, req.params.repoUuid);
    if (!uuid) return sendError(res, 400, "repoUuid must be a repository id of this installation's Bitbucket");
    if (!boundTo(principal, uuid)) return sendError(res, 401, "this token was not issued for this repository");
    repoPermissions(services)
      .resolve(principal, uuid)
      .then((result) => {
        if (!result.ok) return sendError(res, result.status, result.reason);
        if (!atLeast(result.access.level, min)) {
          return sendError(res, 403, min === "admin" ? "only repository admins may do this" : "you have no access to this repository");
        }
        res.locals.repoAccess = result.access;
        next();
      })
      .catch(next);
  };
}

export function repoAccessOf(res: Response): RepoAccess {
  const a = res.locals.repoAccess as RepoAccess | undefined;
  if (!a) throw new Error("route is mounted without requireRepoAccess");
  return a;
}
