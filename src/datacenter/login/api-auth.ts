import type { NextFunction, Request, RequestHandler, Response } from "express";
import { normaliseRepositoryId } from "../../bitbucket/repository-id";
import { sendError } from "../../web/errors";
import { atLeast, repoPermissions } from "../../web/permissions";
import { setPrincipal } from "../../web/principal";
import { namedRepositories } from "../../web/repository-binding";
import { SessionError } from "../../web/session/cookie-session";
import { sessionAuth, sessionOf } from "../../web/session/session-auth";
import { dcViewerOf, type DcLoginContext } from "./viewer";

/**
 * Authentication of `/datacenter/api`: the cookie session (CSRF token and Origin on every write:
 * `sessionAuth`), then the DC user behind it (`dcViewerOf`: instance configured, grant held). The
 * session is the user's, not a page's: a request may name one repository, of the session's own
 * instance (`dc:<instance>:…`) on which the user has at least REPO_READ (else 403: some routes, such
 * as the review radar's, rely on the binding alone), and the principal is bound to it for that
 * request. Permissions are asked of DC with the user's own token (`Principal.permissionOf`), cached
 * briefly by `RepoPermissions`; writes check REPO_ADMIN again (`requireRepoAccess`, from the cache).
 * A repository of another instance or host is a misdirected credential: 401.
 */
export function dcApiAuth(ctx: DcLoginContext): RequestHandler[] {
  const session = sessionAuth(ctx.sessions, () => ctx.services.config.baseUrl);
  const viewer = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const v = await dcViewerOf(ctx, sessionOf(res));
      const named = [...new Set(namedRepositories(req).map((raw) => normaliseRepositoryId(raw)).filter((id): id is string => id !== null))];
      if (named.some((id) => !id.startsWith(`dc:${v.instance.id}:`))) return sendError(res, 401, "this session was issued for another Bitbucket instance");
      if (named.length > 1) return sendError(res, 401, "a request may name one repository");
      const principal = { ...v.principal, repositoryUuid: named[0] ?? null };
      if (principal.repositoryUuid) {
        const access = await repoPermissions(ctx.services).resolve(principal, principal.repositoryUuid);
        if (!access.ok) return sendError(res, access.status, access.reason);
        if (!atLeast(access.access.level, "read")) return sendError(res, 403, "you have no access to this repository");
      }
      setPrincipal(res, principal);
      next();
    } catch (err) {
      if (err instanceof SessionError) return sendError(res, err.status, err.message);
      next(err);
    }
  };
  return [session, viewer];
}
