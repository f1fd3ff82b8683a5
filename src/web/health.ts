import { Router } from "express";
import type { Services } from "../core/services";
import { ingestPendingBytes } from "../pipeline/ingest";

/** `/healthz`: database reachable and worker alive. `/metrics`: Prometheus text. */
export function healthRouter(services: Services, workerAlive: () => boolean | null): Router {
  const router = Router();
  router.get("/healthz", async (_req, res) => {
    const database = await services.db.ping();
    const worker = workerAlive();
    const ok = database && worker !== false;
    res.status(ok ? 200 : 503).json({ status: ok ? "ok" : "unhealthy", database, worker: worker ?? "disabled" });
  });
  router.get("/metrics", async (_req, res) => {
    services.metrics.ingestPendingBytes.set(ingestPendingBytes(services));
    try {
      const depth = await services.queue.depth();
      for (const [status, n] of Object.entries(depth)) services.metrics.queueDepth.set({ status }, n);
    } catch {
      // the scrape still answers with what it has
    }
    res.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });
  return router;
}
