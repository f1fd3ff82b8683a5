import { PULL_REQUEST_EVENT_KEYS } from "../../bitbucket/events";
import type { Services } from "../../core/services";
import type { Integration } from "../index";
import { BACKFILL_JOB, BACKFILL_MAX_ATTEMPTS, BackfillJobSchema, runBackfillPage } from "./backfill";
import { captureEvents } from "./capture";
import { DAY_MS } from "./figures";
import { reviewInsightsRoutes } from "./routes";
import { InsightsStore } from "./store";

declare module "../../settings/registry" {
  interface IntegrationSettingsMap {
    /**
     * Review insights have no settings document: the switch and the backfill live in
     * `review_insights_repositories` (changed on the insights page). Declared for the job's
     * `integration` label (activity log) only; never read through the settings service.
     */
    "review-insights": { enabled: boolean };
  }
}

/** How often retention runs (each instance; deletes are idempotent). */
export const INSIGHTS_PRUNE_MS = 60 * 60_000;

const stores = new WeakMap<Services, InsightsStore>();
export function insightsStoreOf(services: Services): InsightsStore {
  let s = stores.get(services);
  if (!s) stores.set(services, (s = new InsightsStore(services.db)));
  return s;
}

/** Deletes what is older than INSIGHTS_RETENTION_DAYS (InsightsStore.prune). */
export function pruneInsights(services: Services, now = Date.now()) {
  return insightsStoreOf(services).prune(now - services.config.insightsRetentionDays * DAY_MS);
}

/**
 * Review insights (issue 18.3): time to first review and to merge, open-PR ages, reviewer load and
 * the pull requests waiting longest, per repository, from the pull request events the app receives
 * (captured at ingest while a repository has insights on) and a backfill of the host's history.
 * Pages: src/connect/pages (Connect `repoPages`), manifest.yml (Forge), the page bundle `review-insights`.
 */
export const reviewInsights: Integration = {
  id: "review-insights",
  register(registry, services) {
    const store = insightsStoreOf(services);
    // Its switch is its own row, not a settings card: it answers the core's "switched on?" itself.
    services.switches.register({
      name: "review-insights",
      isOn: async (installationId, repositoryUuid) => (await store.state({ installationId, repositoryUuid }))?.enabled === true,
      repositoriesOn: (installationId) => store.enabledRepositories(installationId),
    });
    registry.onIngest([...PULL_REQUEST_EVENT_KEYS], "review-insights.capture", (deliveries, transaction) => captureEvents(store, deliveries, transaction));
    registry.job(BACKFILL_JOB, { integration: "review-insights", schema: BackfillJobSchema, maxAttempts: BACKFILL_MAX_ATTEMPTS }, (ctx) => runBackfillPage(ctx, store));
  },
  apiRoutes(services) {
    return reviewInsightsRoutes(services, insightsStoreOf(services));
  },
  background(services) {
    const tick = () =>
      void pruneInsights(services).catch((err: unknown) => services.log.error({ err: { message: err instanceof Error ? err.message : String(err) } }, "pruning review insights failed"));
    const timer = setInterval(tick, INSIGHTS_PRUNE_MS);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  },
};
