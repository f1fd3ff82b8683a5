import { Router } from "express";
import type { Services } from "../../core/services";
import { principalOf } from "../../web/principal";
import { sendError } from "../../web/errors";
import { repoAccessOf, requireRepoAccess } from "../../web/api/repo-access";
import { ProtonSync } from "./models";

/**
 * `GET /repositories/:repoUuid/proton/syncs?limit=<1..100>`: the repository's sync history for the
 * activity view (commit, branch, S3 key and size, versions, rejected entries, outcome, duration),
 * newest first. Readable by anyone who can read the repository.
 */
export function historyRoutes(services: Services): Router {
  const r = Router();
  r.get("/repositories/:repoUuid/proton/syncs", requireRepoAccess(services, "read"), async (req, res, next) => {
    try {
      const raw = req.query.limit ?? "20";
      const limit = typeof raw === "string" && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
      if (!(limit >= 1 && limit <= 100)) return sendError(res, 400, "limit must be 1 to 100");
      const rows = await ProtonSync.findAll({
        where: { installationId: principalOf(res).installation.id, repositoryUuid: repoAccessOf(res).repository.uuid },
        order: [["startedAt", "DESC"]],
        limit,
      });
      res.json({
        syncs: rows.map((s) => ({
          id: s.id,
          commit: s.commit,
          branch: s.branch,
          s3: s.s3Key ? { bucket: s.s3Bucket, key: s.s3Key, sizeBytes: s.sizeBytes === null ? null : Number(s.sizeBytes) } : null,
          versions: JSON.parse(s.versions ?? "[]") as unknown[],
          rejected: JSON.parse(s.rejected ?? "[]") as unknown[],
          outcome: s.outcome,
          reason: s.reason,
          startedAt: Number(s.startedAt),
          durationMs: s.durationMs,
        })),
      });
    } catch (err) {
      next(err);
    }
  });
  return r;
}
