import type { NextFunction, Request, Response } from "express";
import { sendError } from "../web/errors";
import { setPrincipal } from "../web/principal";
import { forgeInvocationOf } from "./fit-auth";
import { bracedUuid } from "./fit-claims";

/** The repository the invoking Forge module is on (`context.extension.repository.uuid`), braced. */
export function forgeRepositoryOf(res: Response): string | null {
  const uuid = forgeInvocationOf(res).claims.context?.extension?.repository?.uuid;
  return uuid ? bracedUuid(uuid) : null;
}

/** Query / body fields through which the host-agnostic API names a repository, and its path form. */
const REPOSITORY_FIELDS = ["repoUuid", "repositoryUuid"];
const REPOSITORY_PATH = /\/repositories\/([^/]+)/;

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** Every repository uuid a request names: `?repoUuid=`, `/repositories/{uuid}/…`, `{"repoUuid": …}`. */
function namedRepositories(req: Request): string[] {
  const out: unknown[] = REPOSITORY_FIELDS.map((f) => req.query[f]);
  const m = REPOSITORY_PATH.exec(req.path);
  if (m?.[1]) out.push(safeDecode(m[1]));
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === "object") for (const f of REPOSITORY_FIELDS) out.push(body[f]);
  return out.filter((v): v is string => typeof v === "string" && /^\{?[0-9a-fA-F-]{36}\}?$/.test(v));
}

/**
 * After `fitAuth` on `/forge/api`: the caller becomes the host-agnostic principal (installation +
 * the FIT's `principal` account id) that the JSON API reads with `principalOf(res)`. A Forge module
 * is bound to one repository by Forge itself: a request naming another repository is refused.
 */
export function forgePrincipal(req: Request, res: Response, next: NextFunction): void {
  const { claims, installation } = forgeInvocationOf(res);
  const bound = forgeRepositoryOf(res);
  if (bound && namedRepositories(req).some((v) => bracedUuid(v) !== bound)) {
    return sendError(res, 403, "repository is not the one this Forge module is on");
  }
  setPrincipal(res, { installation, accountId: claims.principal ?? null, host: "forge" });
  next();
}
