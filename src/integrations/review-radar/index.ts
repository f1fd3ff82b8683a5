import type { Integration } from "../index";
import "./settings";
import { registerReviewRadarHandlers } from "./handlers";
import { radarOf } from "./radar";
import { reviewRadarRoutes } from "./routes";
import { ReminderScheduler } from "./scheduler";
import { ReminderSlots } from "./slots";

/** How often each instance checks the reminder schedules, and how far back a missed slot still goes out. */
export const SCHEDULE_CHECK_MS = 30_000;
export const SCHEDULE_LOOKBACK_MS = 10 * 60_000;

/**
 * Review radar (issue 5): the repository sidebar panel of PRs waiting for review (API here, page in
 * src/connect/pages and src/web/pages), its cache kept fresh by webhooks, and scheduled chat digests.
 */
export const reviewRadar: Integration = {
  id: "review-radar",
  register(registry, services) {
    registerReviewRadarHandlers(registry, services);
    services.installations.onPurge(async (id) => {
      await radarOf(services).purge(id);
      await new ReminderSlots(services.db).purge(id);
    });
  },
  apiRoutes(services) {
    return reviewRadarRoutes(services);
  },
  background(services) {
    const scheduler = new ReminderScheduler(services, { intervalMs: SCHEDULE_CHECK_MS, lookbackMs: SCHEDULE_LOOKBACK_MS });
    scheduler.start();
    return scheduler;
  },
};
