import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Services } from "../core/services";
import { HttpError } from "../http/errors";
import { principalOf, type Principal } from "./principal";
import { sendError } from "./errors";

const TTL_MS = 60_000;
const cache = new WeakMap<Services, Map<string, { admin: boolean; expiresAt: number }>>();

/**
 * Is the viewing account an admin of the installation's workspace (Cloud: `owner`; `BitbucketApi.isScopeAdmin`)?
 * Asked of Bitbucket with the installation's credentials; answers are cached for a minute per app instance (a revoked admin
 * loses access within that); failures are not cached.
 * Returns `{ ok: false, status, reason }` for the caller to answer (403 not an admin / refused, 502).
 */
export async function workspaceAdminCheck(services: Services, principal: Principal): Promise<{ ok: true } | { ok: false; status: number; reason: string }> {
  if (!principal.accountId) return { ok: false, status: 403, reason: "the request names no user account" };
  let entries = cache.get(services);
  if (!entries) cache.set(services, (entries = new Map()));
  const key = `${principal.installation.id}|${principal.accountId}`;
  const hit = entries.get(key);
  let admin = hit && hit.expiresAt > Date.now() ? hit.admin : null;
  if (admin === null) {
    try {
      admin = await services.bitbucketApiFor(principal.installation).isScopeAdmin(principal.accountId);
      entries.set(key, { admin, expiresAt: Date.now() + TTL_MS });
    } catch (err) {
      if (err instanceof HttpError && (err.status === 401 || err.status === 403 || err.status === 404)) {
        return { ok: false, status: 403, reason: "Bitbucket refused the workspace permission check" };
      }
      services.log.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, "workspace permission check failed");
      return { ok: false, status: 502, reason: "could not check your permission on Bitbucket" };
    }
  }
  return admin ? { ok: true } : { ok: false, status: 403, reason: "only workspace admins may do this" };
}

/** Route guard: workspace admins only (see {@link workspaceAdminCheck}). */
export function requireWorkspaceAdmin(services: Services): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    workspaceAdminCheck(services, principalOf(res))
      .then((r) => (r.ok ? next() : sendError(res, r.status, r.reason)))
      .catch(next);
  };
}
