import { Router, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { Services } from "../../core/services";
import { principalOf } from "../../web/principal";
import { sendError } from "../../web/errors";
import { bodylessRoute } from "../../web/api/body-policy";
import { repoAccessOf, requireRepoAccess } from "../../web/api/repo-access";
import { BACKFILL_DAYS, queueBackfillPage } from "./backfill";
import { csvFileName, csvRows, toCsv } from "./csv";
import { DAY_MS } from "./figures";
import { CSV_TABLES, INSIGHTS_WINDOWS, type CsvTable, type InsightsView, type InsightsWindow } from "./model";
import { backfillView, insightsFigures } from "./query";
import type { InsightsStore, RepoKey } from "./store";

const Days = z.enum(["30", "90"]).default("30");
const Table = z.enum(CSV_TABLES).default("weekly");
const StateBody = z.object({ enabled: z.boolean() }).strict();

type Handler = (req: Request, res: Response) => Promise<void>;
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);

/**
 * Review insights' JSON API (host-agnostic, behind each door's authentication), under
 * `/repositories/{repoUuid}/insights`:
 *   GET  …/insights?days=30|90                  the figures and the backfill's progress (readers)
 *   GET  …/insights/csv?days=…&table=…          one table as CSV, `Content-Disposition: attachment` (readers)
 *   PUT  …/insights {"enabled": true|false}     switch on (starts a backfill) or off (admins); announced to
 *                                               `services.switches` (Data Center: the repository's webhook)
 *   POST …/insights/backfill                    start a backfill again, or resume a failed one (admins)
 */
export function reviewInsightsRoutes(services: Services, store: InsightsStore): Router {
  const router = Router();
  const read = requireRepoAccess(services, "read");
  const admin = requireRepoAccess(services, "admin");
  const keyOf = (res: Response): RepoKey => ({ installationId: principalOf(res).installation.id, repositoryUuid: repoAccessOf(res).repository.uuid });

  async function view(res: Response, days: InsightsWindow): Promise<InsightsView> {
    const access = repoAccessOf(res);
    const key = keyOf(res);
    const state = await store.state(key);
    const figures = await insightsFigures(services.db, key, days, Date.now());
    return {
      repository: access.repository,
      enabled: state?.enabled ?? false,
      canAdmin: access.level === "admin",
      retentionDays: services.config.insightsRetentionDays,
      backfill: backfillView(state),
      ...figures,
    };
  }

  async function startBackfill(res: Response): Promise<void> {
    const key = keyOf(res);
    const run = await store.startBackfill(key, Date.now() - BACKFILL_DAYS * DAY_MS, Date.now());
    await queueBackfillPage(services, key, { run, cursor: null, fullName: repoAccessOf(res).repository.fullName });
  }

  router.get(
    "/repositories/:repoUuid/insights",
    read,
    wrap(async (req, res) => {
      const days = Days.safeParse(req.query.days);
      if (!days.success) return sendError(res, 400, `days must be one of ${INSIGHTS_WINDOWS.join(", ")}`);
      res.set("cache-control", "no-store").json(await view(res, Number(days.data) as InsightsWindow));
    }),
  );

  router.get(
    "/repositories/:repoUuid/insights/csv",
    read,
    wrap(async (req, res) => {
      const days = Days.safeParse(req.query.days);
      if (!days.success) return sendError(res, 400, `days must be one of ${INSIGHTS_WINDOWS.join(", ")}`);
      const table = Table.safeParse(req.query.table);
      if (!table.success) return sendError(res, 400, `table must be one of ${CSV_TABLES.join(", ")}`);
      const v = await view(res, Number(days.data) as InsightsWindow);
      res
        .status(200)
        .set({
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="${csvFileName(v, table.data as CsvTable)}"`,
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
        })
        .send(toCsv(csvRows(v, table.data as CsvTable)));
    }),
  );

  // Access first: a caller who may not switch insights learns nothing about the body's rules.
  router.put(
    "/repositories/:repoUuid/insights",
    admin,
    wrap(async (req, res) => {
      const body = StateBody.safeParse(req.body);
      if (!body.success) return sendError(res, 400, 'the body must be {"enabled": true} or {"enabled": false}');
      const enabled = body.data.enabled;
      const key = keyOf(res);
      const before = await store.state(key);
      // The switch and its announcement in one transaction (a door's reaction, e.g. the Data Center webhook sync, exists exactly when the change does).
      await services.db.transaction(async (transaction) => {
        await store.setEnabled(key, enabled, repoAccessOf(res).accountId, Date.now(), transaction);
        if ((before?.enabled ?? false) !== enabled) await services.switches.switched({ ...key, integration: "review-insights" }, transaction);
      });
      // Turning on reads the history the events did not bring (again after a pause), unless a run is under way.
      if (enabled && before?.backfill.status !== "running") await startBackfill(res);
      res.json(await view(res, 30));
    }),
  );

  bodylessRoute(
    router,
    "post",
    "/repositories/:repoUuid/insights/backfill",
    admin,
    wrap(async (_req, res) => {
      const key = keyOf(res);
      const state = await store.state(key);
      if (!state?.enabled) return sendError(res, 409, "turn review insights on first");
      if (state.backfill.status === "running") return sendError(res, 409, "a backfill is already running");
      if (state.backfill.status === "failed") {
        await store.resumeBackfill(key);
        await queueBackfillPage(services, key, { run: state.backfill.run, cursor: state.backfill.cursor, fullName: repoAccessOf(res).repository.fullName });
      } else {
        await startBackfill(res);
      }
      res.status(202).json(await view(res, 30));
    }),
  );

  return router;
}
