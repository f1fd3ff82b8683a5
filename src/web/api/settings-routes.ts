import { Router, type Request, type Response, type NextFunction } from "express";
import { z } from "zod";
import type { Services } from "../../core/services";
import { integrationDefinition, integrationDefinitions } from "../../settings/registry";
import { SettingsValidationError } from "../../settings/service";
import { SettingsChange } from "../../models";
import { principalOf } from "../principal";
import { sendError } from "../errors";
import { bodylessRoute } from "./body-policy";
import { repoAccessOf, requireRepoAccess } from "./repo-access";
import { adminCard, fullSettings, pageContext, savedSettingsChecks, settingsCards } from "./settings-view";
import { setupOf } from "./settings-setup";

const MAX_SECRET_LENGTH = 8192;

/** A settings write: non-secret values to change, secrets to replace (string) or clear (null). */
export const SettingsPatchSchema = z
  .object({
    values: z.record(z.string(), z.unknown()).optional(),
    secrets: z.record(z.string(), z.string().max(MAX_SECRET_LENGTH).nullable()).optional(),
    /** Fields to stop setting: the repository inherits them from the workspace defaults. */
    inherit: z.array(z.string().min(1).max(64)).max(100).optional(),
  })
  .strict();

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);

/**
 * The settings page's API, under `/repositories/{repoUuid}/settings`:
 *   GET    …/settings                               cards (admins: values, secret status, copy values, actions)
 *   PUT    …/settings/{integration}                 validated, idempotent write; records who changed what;
 *                                                   answers the card plus the integration's checks (warnings)
 *   POST   …/settings/{integration}/actions/{id}    runs an integration's action ("send a test alert")
 *   GET    …/settings/changes                       who changed which fields, newest first
 *   GET    …/settings/{integration}/setup           the setup checklist with live state (the page polls it)
 * Reads need any access to the repository, everything else repository admin.
 */
export function settingsRoutes(services: Services): Router {
  const router = Router();
  const read = requireRepoAccess(services, "read");
  const admin = requireRepoAccess(services, "admin");

  router.get(
    "/repositories/:repoUuid/settings",
    read,
    wrap(async (_req, res) => {
      const access = repoAccessOf(res);
      const { installation } = principalOf(res);
      const cards = await settingsCards(services, installation, access, integrationDefinitions());
      res.json({
        repository: access.repository,
        permission: access.level,
        canEdit: access.level === "admin",
        retentionDays: services.config.activityRetentionDays,
        integrations: cards,
      });
    }),
  );

  router.get(
    "/repositories/:repoUuid/settings/changes",
    admin,
    wrap(async (req, res) => {
      const access = repoAccessOf(res);
      const { installation } = principalOf(res);
      const limit = Math.min(100, Math.max(1, Number(req.query.limit) || 50));
      const rows = await SettingsChange.findAll({
        where: { installationId: installation.id, repositoryUuid: access.repository.uuid },
        order: [["at", "DESC"], ["id", "DESC"]],
        limit,
      });
      res.json({
        values: rows.map((r) => ({ integration: r.integration, actor: r.actor, fields: JSON.parse(r.fields) as string[], at: Number(r.at) })),
      });
    }),
  );

  router.get(
    "/repositories/:repoUuid/settings/:integration/setup",
    (req, res, next) => {
      const id = req.params.integration ?? "";
      if (!ID.test(id) || !integrationDefinition(id)) return sendError(res, 404, "unknown integration");
      next();
    },
    admin,
    wrap(async (req, res) => {
      const access = repoAccessOf(res);
      const { installation } = principalOf(res);
      const def = integrationDefinition(req.params.integration!)!;
      const setup = await setupOf(services, installation, access, def);
      if (!setup) return sendError(res, 404, "this integration has no setup checklist");
      res.json(setup);
    }),
  );

  router.put(
    "/repositories/:repoUuid/settings/:integration",
    (req, res, next) => {
      // Cheap checks first: a malformed request is refused before Bitbucket is asked anything.
      const id = req.params.integration ?? "";
      if (!ID.test(id) || !integrationDefinition(id)) return sendError(res, 404, "unknown integration");
      const parsed = SettingsPatchSchema.safeParse(req.body);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
        return sendError(res, 400, "invalid request body", { issues });
      }
      res.locals.patch = parsed.data;
      next();
    },
    admin,
    wrap(async (req, res) => {
      const access = repoAccessOf(res);
      const { installation } = principalOf(res);
      const def = integrationDefinition(req.params.integration!)!;
      const patch = res.locals.patch as z.infer<typeof SettingsPatchSchema>;
      // After the access check: only an admin learns that a write would save nothing.
      if (!Object.keys(patch.values ?? {}).length && !Object.keys(patch.secrets ?? {}).length && !patch.inherit?.length) {
        return sendError(res, 400, "nothing to save: values and secrets are both empty");
      }
      try {
        const view = await services.settings.update(installation.id, access.repository, def.id, patch, access.accountId);
        const checks = await savedSettingsChecks(services, installation, access, def);
        res.json({ ...(await adminCard(services, installation, access, def, view)), ...(checks ? { checks } : {}) });
      } catch (err) {
        if (err instanceof SettingsValidationError) {
          return sendError(res, 400, "invalid settings", { issues: err.issues });
        }
        throw err;
      }
    }),
  );

  // An action takes no body (the page posts `{}`): declared so to the API's JSON body rule.
  bodylessRoute(
    router,
    "post",
    "/repositories/:repoUuid/settings/:integration/actions/:action",
    admin,
    wrap(async (req, res) => {
      const access = repoAccessOf(res);
      const { installation } = principalOf(res);
      const def = integrationDefinition(req.params.integration ?? "");
      if (!def) return sendError(res, 404, "unknown integration");
      const actionId = req.params.action ?? "";
      const action = Object.prototype.hasOwnProperty.call(def.actions ?? {}, actionId) ? def.actions![actionId] : undefined;
      if (!action) return sendError(res, 404, "unknown action");
      const settings = await fullSettings(services, installation.id, access.repository.uuid, def);
      try {
        const result = await action.run(pageContext(services, installation, access, settings));
        res.json({ ok: result.ok, message: result.message, detail: result.detail ?? null });
      } catch (err) {
        services.log.warn({ integration: def.id, action: actionId, err: { message: err instanceof Error ? err.message : String(err) } }, "settings action failed");
        res.json({ ok: false, message: err instanceof Error ? err.message : "the action failed", detail: null });
      }
    }),
  );

  return router;
}
