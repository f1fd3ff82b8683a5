import { Router, type Request, type Response, type NextFunction } from "express";
import { z } from "zod";
import type { Services } from "../../core/services";
import { integrationDefinition, integrationDefinitions } from "../../settings/registry";
import { SettingsValidationError } from "../../settings/service";
import { applyRunView, startApplyRun } from "../../settings/apply-defaults";
import { WorkspaceApplyRun } from "../../models";
import { principalOf } from "../principal";
import { sendError } from "../errors";
import { requireWorkspaceAdmin } from "../workspace-admin";
import { hostScopeView } from "./host-scope";
import { normaliseRepoUuid } from "./repo-access";
import { knownRepositoriesOf } from "../repository-scope";
import { SettingsPatchSchema } from "./settings-routes";
import { jsonSchemaOf } from "./settings-view";

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const FIELD = z.string().min(1).max(64);

/** "Apply to all / selected repositories": which repositories, and which fields (absent: all fields). */
const ApplySchema = z
  .object({
    repositories: z.union([z.literal("all"), z.array(z.string().max(64)).min(1).max(1000)]),
    fields: z.array(FIELD).min(1).max(100).optional(),
  })
  .strict();

/** The repositories of `ids` the app has never known as the installation's (another workspace's, for all it can tell). */
async function foreignRepositories(installationId: string, ids: string[]): Promise<string[]> {
  const known = await knownRepositoriesOf(installationId, ids);
  return ids.filter((id) => !known.has(id));
}

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);

function knownIntegration(req: Request, res: Response, next: NextFunction) {
  const id = req.params.integration ?? "";
  if (!ID.test(id) || !integrationDefinition(id)) return sendError(res, 404, "unknown integration");
  next();
}

/**
 * The workspace-defaults page's API (workspace admins only: Bitbucket's workspace `owner`):
 *   GET  /workspace/defaults                          every integration's defaults (secrets as set / not set),
 *                                                     and the repositories with settings of their own
 *   PUT  /workspace/defaults/{integration}            validated write {values, secrets, inherit}
 *   POST /workspace/defaults/{integration}/apply      {repositories: "all" | [uuid], fields?}: 202 and a run;
 *                                                     401 when a listed repository is not one the app knows
 *                                                     as the workspace's (settings, deliveries, permission checks)
 *   GET  /workspace/defaults/runs/{runId}             the run's progress (total, done, updated, status); 404
 *                                                     no such run, 401 another workspace's
 */
export function workspaceRoutes(services: Services): Router {
  const router = Router();
  const admin = requireWorkspaceAdmin(services);

  router.get(
    "/workspace/defaults",
    admin,
    wrap(async (_req, res) => {
      const { installation } = principalOf(res);
      const defs = integrationDefinitions();
      const views = await services.settings.defaultsView(installation.id, defs.map((d) => d.id));
      res.json({
        workspace: { uuid: installation.workspaceUuid, slug: installation.workspaceSlug },
        scope: hostScopeView(services, installation),
        canEdit: true,
        integrations: defs.map((def) => ({
          id: def.id,
          title: def.title,
          description: def.description ?? null,
          schema: jsonSchemaOf(def),
          secretFields: [...def.secretFields],
          repositoryOnly: [...(def.repositoryOnly ?? [])],
          fields: { ...(def.fields ?? {}) },
          groups: [...(def.groups ?? [])],
          groupsWhenOff: [...(def.groupsWhenOff ?? [])],
          ...views[def.id]!,
        })),
        repositories: await services.settings.repositoriesWithSettings(installation.id),
      });
    }),
  );

  router.put(
    "/workspace/defaults/:integration",
    knownIntegration,
    admin,
    wrap(async (req, res) => {
      const { installation, accountId } = principalOf(res);
      const parsed = SettingsPatchSchema.safeParse(req.body);
      if (!parsed.success) {
        return sendError(res, 400, "invalid request body", { issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) });
      }
      const patch = parsed.data;
      if (!Object.keys(patch.values ?? {}).length && !Object.keys(patch.secrets ?? {}).length && !patch.inherit?.length) {
        return sendError(res, 400, "nothing to save: values, secrets and inherit are all empty");
      }
      try {
        res.json(await services.settings.updateDefaults(installation.id, req.params.integration!, patch, accountId));
      } catch (err) {
        if (err instanceof SettingsValidationError) return sendError(res, 400, "invalid settings", { issues: err.issues });
        throw err;
      }
    }),
  );

  router.post(
    "/workspace/defaults/:integration/apply",
    knownIntegration,
    admin,
    wrap(async (req, res) => {
      const { installation, accountId } = principalOf(res);
      const parsed = ApplySchema.safeParse(req.body);
      if (!parsed.success) {
        return sendError(res, 400, "invalid request body", { issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) });
      }
      const def = integrationDefinition(req.params.integration!)!;
      const fields = services.settings.fieldsOf(def);
      const unknown = (parsed.data.fields ?? []).filter((f) => !fields.includes(f));
      if (unknown.length) return sendError(res, 400, `not a field of ${def.id}: ${unknown.join(", ")}`);
      let repositories: string[] | null = null;
      if (parsed.data.repositories !== "all") {
        const uuids = parsed.data.repositories.map(normaliseRepoUuid);
        if (uuids.some((u) => u === null)) return sendError(res, 400, "repositories must be repository UUIDs");
        repositories = [...new Set(uuids as string[])];
        const foreign = await foreignRepositories(installation.id, repositories);
        if (foreign.length) return sendError(res, 401, `not a repository of this workspace: ${foreign.slice(0, 5).join(", ")}`);
      }
      const run = await startApplyRun(services, installation.id, def.id, { fields: parsed.data.fields ?? null, repositories, actor: accountId });
      res.status(202).json(run);
    }),
  );

  router.get(
    "/workspace/defaults/runs/:runId",
    admin,
    wrap(async (req, res) => {
      const { installation } = principalOf(res);
      const run = await WorkspaceApplyRun.findOne({ where: { id: String(req.params.runId).slice(0, 36) } });
      if (!run) return sendError(res, 404, "no such run");
      if (run.installationId !== installation.id) return sendError(res, 401, "this run belongs to another workspace than this credential's");
      res.json(applyRunView(run));
    }),
  );

  return router;
}
