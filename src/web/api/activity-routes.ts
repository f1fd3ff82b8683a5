import { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { Services } from "../../core/services";
import { Job } from "../../models";
import { principalOf } from "../principal";
import { sendError } from "../errors";
import { bodylessRoute } from "./body-policy";
import { repoAccessOf, requireRepoAccess } from "./repo-access";
import { activityPage, jobInRepository, OUTCOMES } from "./activity-query";
import { purgeReplays, recordReplay } from "./replay-log";

export const ActivityQuerySchema = z
  .object({
    integration: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "is not an integration id").optional(),
    outcome: z.enum(OUTCOMES).optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    pageLen: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict();

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);

/**
 * The activity log's API, under `/repositories/{repoUuid}/activity`:
 *   GET  …/activity                        deliveries and their jobs, newest first (filters, paging)
 *   POST …/activity/jobs/{jobId}/replay    replays a dead job (admins); replaying twice returns the first replay;
 *                                          404 for no such job, 401 for another repository's (or installation's)
 */
export function activityRoutes(services: Services): Router {
  services.installations.onPurge((id) => purgeReplays(services, id));
  const router = Router();

  router.get(
    "/repositories/:repoUuid/activity",
    (req, res, next) => {
      const parsed = ActivityQuerySchema.safeParse(req.query);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        return sendError(res, 400, `invalid query: ${i?.path.join(".") || "query"} ${i?.message ?? ""}`.trim(), {
          issues: parsed.error.issues.map((x) => ({ path: x.path.join("."), message: x.message })),
        });
      }
      res.locals.query = parsed.data;
      next();
    },
    requireRepoAccess(services, "read"),
    wrap(async (_req, res) => {
      const access = repoAccessOf(res);
      const q = res.locals.query as z.infer<typeof ActivityQuerySchema>;
      const page = await activityPage(services, {
        installationId: principalOf(res).installation.id,
        repositoryUuid: access.repository.uuid,
        ...q,
      });
      res.json({ ...page, canReplay: access.level === "admin", retentionDays: services.config.activityRetentionDays });
    }),
  );

  // A replay takes no body (the page posts `{}`): declared so to the API's JSON body rule.
  bodylessRoute(
    router,
    "post",
    "/repositories/:repoUuid/activity/jobs/:jobId/replay",
    (req, res, next) => (JOB_ID.test(req.params.jobId ?? "") ? next() : sendError(res, 404, "job not found")),
    requireRepoAccess(services, "admin"),
    wrap(async (req, res) => {
      const access = repoAccessOf(res);
      const { installation } = principalOf(res);
      const job = await Job.findOne({ where: { id: req.params.jobId! } });
      if (!job) return sendError(res, 404, "job not found");
      // A job of another installation or repository: this page's credential was not issued for it.
      if (job.installationId !== installation.id || !(await jobInRepository(services, job, access.repository.uuid))) {
        return sendError(res, 401, "this job belongs to another repository than the one this credential was issued for");
      }
      const outcome = await serialised(job.id, () => replayOnce(services, job, installation.id, access.accountId));
      if ("error" in outcome) return sendError(res, 409, outcome.error);
      res.status(outcome.replayed ? 201 : 200).json(outcome);
    }),
  );

  return router;
}

type ReplayOutcome = { replayed: boolean; job: { id: string; status: string; replayOf: string } } | { error: string };

/** Replays a dead job unless it was replayed already (then the earlier replay is the answer). */
async function replayOnce(services: Services, job: Job, installationId: string, actor: string): Promise<ReplayOutcome> {
  const previous = await Job.findOne({ where: { installationId, replayOf: job.id }, order: [["createdAt", "ASC"]] });
  if (previous) return { replayed: false, job: { id: previous.id, status: previous.status, replayOf: job.id } };
  if (job.status !== "dead") return { error: `only dead jobs can be replayed (this one is ${job.status})` };
  const created = await services.queue.replay(job.id, installationId);
  if (!created) return { error: "the job can no longer be replayed" };
  await recordReplay(services, installationId, { jobId: created.id, replayOf: job.id, actor, at: Date.now() });
  services.log.info({ installationId, jobId: job.id, replay: created.id, actor }, "job replayed");
  return { replayed: true, job: { id: created.id, status: created.status, replayOf: job.id } };
}

const inFlight = new Map<string, Promise<unknown>>();

/** One replay at a time per job in this process, so that a double click replays once. */
function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = inFlight.get(key) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.catch(() => undefined);
  inFlight.set(key, tail);
  void tail.then(() => {
    if (inFlight.get(key) === tail) inFlight.delete(key);
  });
  return run;
}
