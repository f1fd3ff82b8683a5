import type { NextFunction, Request, Response } from "express";
import { normaliseRepoUuid } from "./api/repo-access";
import { principalOf } from "./principal";
import { sendError } from "./errors";

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
 * A page is rendered by the host for one repository; its API calls may name only that one
 * (whichever front door established the principal).
 */
export function enforceRepositoryBinding(req: Request, res: Response, next: NextFunction): void {
  const bound = normaliseRepoUuid(principalOf(res).repositoryUuid ?? undefined);
  // Malformed ids are left to the route's own validation (400).
  const named = namedRepositories(req).map(normaliseRepoUuid).filter((v): v is string => v !== null);
  if (bound && named.some((v) => v !== bound)) {
    return sendError(res, 403, "this page may only act on the repository it was opened for");
  }
  next();
}
