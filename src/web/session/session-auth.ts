import type { NextFunction, Request, RequestHandler, Response } from "express";
import { safeEqual } from "../../crypto/secrets";
import { sendError } from "../errors";
import { setPrincipal } from "../principal";
import { SessionError, type CookieSessions, type VerifiedSession } from "./cookie-session";

/** The header a page sends its session's CSRF token in (`ui/lib/cookie-transport.ts`). */
export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The session `sessionAuth` verified for this request. */
export function sessionOf(res: Response): VerifiedSession {
  const s = res.locals.session as VerifiedSession | undefined;
  if (!s) throw new Error("route is mounted without sessionAuth");
  return s;
}

/**
 * Authentication by cookie session, for the routes of a door that serves its own pages: the session
 * cookie becomes the request's `Principal` (the same shape a Connect page API token or a Forge FIT
 * gives), else 401. Unsafe methods (anything but GET/HEAD/OPTIONS) also need the session's CSRF
 * token in `X-CSRF-Token` and, when the browser sends `Origin`, the app's own origin (BASE_URL):
 * 403 otherwise (OWASP CSRF cheat sheet: synchroniser token + origin check).
 */
export function sessionAuth(sessions: CookieSessions, baseUrl: () => string): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const session = await sessions.verify(req);
      if (!SAFE_METHODS.has(req.method)) {
        const origin = req.get("origin");
        if (origin && origin !== new URL(baseUrl()).origin) return sendError(res, 403, "cross-origin request refused");
        const token = req.get(CSRF_HEADER);
        if (!token) return sendError(res, 403, "missing CSRF token (X-CSRF-Token)");
        if (!safeEqual(token, sessions.csrfTokenOf(session.sessionId))) return sendError(res, 403, "invalid CSRF token");
      }
      res.locals.session = session;
      setPrincipal(res, session.principal);
      next();
    } catch (err) {
      if (err instanceof SessionError) return sendError(res, err.status, err.message);
      next(err);
    }
  };
}
