import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Services } from "../core/services";
import { normaliseRepositoryId } from "../bitbucket/repository-id";
import { principalOf, type Principal } from "./principal";
import { sendError } from "./errors";
import { checkRepositoryOfInstallation, idOfAnotherScope } from "./repository-scope";

/** Query / body fields through which the API names a repository, and its path form. */
const REPOSITORY_FIELDS = ["repoUuid", "repositoryUuid"];
const REPOSITORY_PATH = /\/repositories\/([^/]+)/;

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** Every repository a request names: `?repoUuid=`, `/repositories/{uuid}/…`, `{"repoUuid": …}`. */
export function namedRepositories(req: Request): string[] {
  const out: unknown[] = REPOSITORY_FIELDS.map((f) => req.query[f]);
  const m = REPOSITORY_PATH.exec(req.path);
  if (m?.[1]) out.push(safeDecode(m[1]));
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === "object") for (const f of REPOSITORY_FIELDS) out.push(body[f]);
  return out.filter((v): v is string => typeof v === "string");
}

/**
 * True when the principal's credential was issued for `repositoryUuid` (a repository id of any
 * door, compared in canonical form: `src/bitbucket/repository-id.ts`). A
 * credential bound to no repository (a Bitbucket token signed for one request, a Forge module
 * outside a repository) proves nothing about any repository.
 */
export function boundTo(principal: Principal, repositoryUuid: string): boolean {
  const bound = normaliseRepositoryId(principal.repositoryUuid ?? undefined);
  return bound !== null && bound === normaliseRepositoryId(repositoryUuid);
}

/**
 * A page is rendered by the host for one repository; its API calls may name only that one
 * (whichever front door established the principal). A request naming a repository with a
 * credential bound to none or to another is misdirected: 401, nothing done; so is an id that names
 * another installation's scope (a Data Center id of another instance), and a repository the
 * credential's own installation does not have (its Bitbucket does not find it in its workspace or
 * instance, and the app never knew it as the installation's: `checkRepositoryOfInstallation`).
 */
export function repositoryBinding(services: Services): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const principal = principalOf(res);
    // Malformed ids are left to the route's own validation (400).
    const named = [...new Set(namedRepositories(req).map((v) => normaliseRepositoryId(v)).filter((v): v is string => v !== null))];
    if (named.length === 0) return next();
    if (named.some((v) => idOfAnotherScope(principal.installation, v))) return sendError(res, 401, "this repository id belongs to another Bitbucket instance");
    if (!principal.repositoryUuid) return sendError(res, 401, "this token is bound to no repository");
    if (named.some((v) => !boundTo(principal, v))) return sendError(res, 401, "this token was issued for another repository");
    checkRepositoryOfInstallation(services, principal.installation, named[0]!)
      .then((refused) => (refused ? sendError(res, refused.status, refused.reason) : next()))
      .catch(next);
  };
}
