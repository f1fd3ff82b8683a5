import type { NextFunction, Request, RequestHandler, Response } from "express";
import { normaliseRepositoryId } from "../../bitbucket/repository-id";
import { sendError } from "../../web/errors";
import { setPrincipal } from "../../web/principal";
import { namedRepositories } from "../../web/repository-binding";
import { SessionError } from "../../web/session/cookie-session";
import { sessionAuth, sessionOf } from "../../web/session/session-auth";
import { dcViewerOf, type DcLoginContext } from "./viewer";

/**
 * Authentication of `/datacenter/api`: the cookie session (CSRF token and Origin on every write:
 * `sessionAuth`), then the DC user behind it (`dcViewerOf`: instance configured, grant held). The
 * session is the user's, not a page's: a request may name one repository, of the session's own
 * instance (`dc:<instance>:…`), and the principal is bound to it for that request; what the user may
 * do there is asked of DC with their own token (`Principal.permissionOf`, cached briefly by
 * `RepoPermissions`). A repository of another instance or host is a misdirected credential: 401.
 */
export function dcApiAuth(ctx: DcLoginContext): RequestHandler[] {
  const session = sessionAuth(ctx.sessions, () => ctx.services.config.baseUrl);
  const viewer = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const v = await dcViewerOf(ctx, sessionOf(res));
      const named = [...new Set(namedRepositories(req).map((raw) => normaliseRepositoryId(raw)).filter((id): id is string => id !== null))];
      if (named.some((id) => !id.startsWith(`dc:${v.instance.id}:`))) return sendError(res, 401, "this session was issued for another Bitbucket instance");
      if (named.length > 1) return sendError(res, 401, "a request may name one repository");
      setPrincipal(res, { ...v.principal, repositoryUuid: named[0] ?? null });
      next();
    } catch (err) {
      if (err instanceof SessionError) return sendError(res, err.status, err.message);
      next(err);
    }
  };
  return [session, viewer];
}
