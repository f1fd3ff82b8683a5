import type { NextFunction, Request, Response } from "express";
import { setPrincipal } from "../web/principal";
import { forgeInvocationOf } from "./fit-auth";
import { bracedUuid } from "./fit-claims";

/** The repository the invoking Forge module is on (`context.extension.repository.uuid`), braced. */
export function forgeRepositoryOf(res: Response): string | null {
  const uuid = forgeInvocationOf(res).claims.context?.extension?.repository?.uuid;
  return uuid ? bracedUuid(uuid) : null;
}

/**
 * After `fitAuth` on `/forge/api`: the caller becomes the host-agnostic principal (installation +
 * the FIT's `principal` account id) that the JSON API reads with `principalOf(res)`. A Forge module
 * is bound to one repository by Forge itself: the API refuses requests naming another repository.
 */
export function forgePrincipal(_req: Request, res: Response, next: NextFunction): void {
  const { claims, installation } = forgeInvocationOf(res);
  setPrincipal(res, { installation, accountId: claims.principal ?? null, host: "forge", repositoryUuid: forgeRepositoryOf(res) });
  next();
}
