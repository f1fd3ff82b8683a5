import { Router, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import type { Services } from "../core/services";
import { sendError } from "../web/errors";
import { forgeInvocationOf, verifiedClaimsOf } from "./fit-auth";
import { installationUuidOf } from "./fit-claims";
import type { ForgeInstallations } from "./installations";
import type { SystemTokenStore } from "./system-token";

/** `avi:forge:installed:app` / `avi:forge:upgraded:app` (shared/reference/forge/events/lifecycle-events.json). */
const LifecycleSchema = z
  .object({
    eventType: z.enum(["avi:forge:installed:app", "avi:forge:upgraded:app"]).optional(),
    id: z.string().min(1).optional(),
    installerAccountId: z.string().optional(),
    upgraderAccountId: z.string().optional(),
    app: z.object({ id: z.string().min(1), version: z.string().optional() }).passthrough(),
  })
  .passthrough();

function unwrap(body: unknown): unknown {
  const outer = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  return outer.payload && typeof outer.payload === "object" ? outer.payload : body;
}

/**
 * Lifecycle and housekeeping endpoints, all behind `fitAuth` (which already provisioned the
 * installation and kept the system token):
 * - `POST /forge/lifecycle`: installed / upgraded; records the installer. The payload's installation
 *   id (bare uuid in the docs) must be the FIT's.
 * - `POST /forge/scheduled`: the hourly trigger; its only job is to hand the remote a fresh token.
 * - `POST /forge/pre-uninstall`: Forge has no uninstalled event; an uninstall starting purges the
 *   tenant as Connect's `uninstalled` does. Only the FIT is needed (`verifyOnly`: its installation id
 *   names the tenant); the body, the workspace context and the system token may all be missing, and
 *   an installation the app never held is a 204 with nothing to purge.
 */
export function lifecycleRouter(
  services: Services,
  auth: RequestHandler,
  verifyOnly: RequestHandler,
  installs: ForgeInstallations,
  tokens: SystemTokenStore,
): Router {
  const router = Router();

  router.post("/lifecycle", auth, async (req, res, next) => {
    try {
      const { claims, installation } = forgeInvocationOf(res);
      const parsed = LifecycleSchema.safeParse(unwrap(req.body));
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        return sendError(res, 400, `invalid lifecycle event: ${i?.path.join(".")} ${i?.message ?? ""}`.trim());
      }
      const body = parsed.data;
      const fitInstallation = installationUuidOf(claims.app.installationId);
      if (body.id && installationUuidOf(body.id) !== fitInstallation) {
        return sendError(res, 400, "lifecycle event is for another installation");
      }
      const installedBy = body.installerAccountId ?? body.upgraderAccountId ?? null;
      if (installedBy) await installs.resolve(claims, { installedBy });
      services.log.info({ installationId: installation.id, event: body.eventType ?? "lifecycle", version: body.app.version }, "Forge lifecycle event");
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  router.post("/scheduled", auth, (_req, res) => {
    res.status(204).end();
  });

  router.post("/pre-uninstall", verifyOnly, async (_req: Request, res: Response, next: NextFunction) => {
    try {
      const clientKey = verifiedClaimsOf(res).app.installationId;
      const installation = await services.installations.findByClientKey("forge", clientKey);
      if (!installation) {
        services.log.info({ host: "forge" }, "uninstall started for an installation the app does not hold: nothing to purge");
        return res.status(204).end();
      }
      tokens.forget(installation.id);
      await services.installations.purge(installation.id);
      services.log.info({ installationId: installation.id, host: "forge" }, "uninstall started: purged");
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  return router;
}
