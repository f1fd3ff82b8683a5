import { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import { matchesAnyGlob } from "../core/names";
import type { Services } from "../core/services";
import { sendError } from "../web/errors";
import { aceAuth } from "./ace-auth";
import type { AceAddon } from "./addon";

/** The `installed` / `uninstalled` body Bitbucket posts (shared/reference/bitbucket/connect). */
const LifecycleSchema = z.object({
  key: z.string().min(1),
  eventType: z.enum(["installed", "uninstalled"]).optional(),
  productType: z.literal("bitbucket"),
  clientKey: z.string().min(1).max(255),
  sharedSecret: z.string().min(8).max(128).optional(),
  baseUrl: z.string().url(),
  baseApiUrl: z.string().url().optional(),
  principal: z
    .object({ uuid: z.string().min(1), username: z.string().optional(), display_name: z.string().optional() })
    .passthrough(),
  user: z.object({ account_id: z.string().optional(), uuid: z.string().optional() }).passthrough().optional(),
});

/** What an uninstall body may say that matters: only the clientKey, and only to cross-check the JWT. */
const UninstallSchema = z.object({ clientKey: z.string().optional() }).passthrough();

function hostAllowed(url: string, patterns: string[]): boolean {
  const host = new URL(url).hostname;
  return matchesAnyGlob(patterns, host, { ignoreCase: true });
}

/**
 * Lifecycle: the first install is unsigned (trust on first use, as Bitbucket documents); a reinstall
 * and an uninstall must be signed with the stored shared secret. Uninstall purges the tenant named by
 * the JWT (its `iss`), whatever the body holds: only the clientKey matters, and only if present.
 */
export function lifecycleRouter(services: Services, addon: AceAddon): Router {
  const router = Router();
  const authenticate = aceAuth(addon.authenticate());

  const parse = (req: Request, res: Response) => {
    const parsed = LifecycleSchema.safeParse(req.body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      sendError(res, 400, `invalid lifecycle payload: ${i?.path.join(".")} ${i?.message}`);
      return null;
    }
    if (parsed.data.key !== services.config.appKey) {
      sendError(res, 400, "lifecycle payload is for another app key");
      return null;
    }
    if (!hostAllowed(parsed.data.baseUrl, services.config.connect.allowedHosts) ||
        (parsed.data.baseApiUrl && !hostAllowed(parsed.data.baseApiUrl, services.config.connect.allowedHosts))) {
      sendError(res, 403, "host is not allowed to install this app");
      return null;
    }
    return parsed.data;
  };

  /** Signed with the stored secret, by the same clientKey the body names. */
  const requireSigned = (req: Request, res: Response, clientKey: string, then: () => void) => {
    authenticate(req, res, () => {
      const ctx = (req as Request & { context?: { clientKey?: string } }).context;
      if (ctx?.clientKey !== clientKey) return sendError(res, 401, "JWT was issued for another client");
      then();
    });
  };

  router.post("/installed", async (req, res, next) => {
    try {
      const body = parse(req, res);
      if (!body) return;
      if (!body.sharedSecret) return sendError(res, 400, "installed payload has no sharedSecret");
      const existing = await services.installations.findByClientKey("connect", body.clientKey);
      const save = async () => {
        try {
          const inst = await services.installations.install({
            host: "connect",
            clientKey: body.clientKey,
            appKey: body.key,
            credentialKind: "connect-jwt",
            workspace: { uuid: body.principal.uuid, slug: body.principal.username ?? null, name: body.principal.display_name ?? null },
            baseUrl: body.baseUrl,
            baseApiUrl: body.baseApiUrl ?? body.baseUrl,
            secrets: { sharedSecret: body.sharedSecret! },
            installedBy: body.user?.account_id ?? null,
          });
          services.log.info({ installationId: inst.id, workspace: inst.workspaceUuid }, existing ? "reinstalled" : "installed");
          res.status(204).end();
        } catch (err) {
          next(err);
        }
      };
      // First install: no JWT (no secret to sign with yet), as Bitbucket documents. Later: signed.
      if (existing) requireSigned(req, res, body.clientKey, () => void save());
      else await save();
    } catch (err) {
      next(err);
    }
  });

  // Uninstall: the signed JWT names the tenant (iss = clientKey, verified with its stored secret), so
  // an authenticated uninstall purges whatever body arrives: incomplete, unreadable or none.
  router.post("/uninstalled", authenticate, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const clientKey = (req as Request & { context?: { clientKey?: string } }).context?.clientKey;
      const named = UninstallSchema.safeParse(req.body);
      if (named.success && named.data.clientKey !== undefined && named.data.clientKey !== clientKey) {
        return sendError(res, 401, "JWT was issued for another client");
      }
      const existing = clientKey ? await services.installations.findByClientKey("connect", clientKey) : null;
      if (!existing) return sendError(res, 401, "unknown client");
      await services.installations.purge(existing.id);
      services.log.info({ installationId: existing.id }, "uninstalled and purged");
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  return router;
}
