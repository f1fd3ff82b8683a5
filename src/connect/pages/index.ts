import { registerConnectPages } from "../index";
import { mountStatic } from "./static";
import { mountReviewRadarPage } from "./review-radar";
import { mountSettingsPage } from "./settings";

/**
 * The Connect iframe pages and their static bundles. Imported once by app.ts (after `./connect`),
 * so the registrations happen before `mountConnect` runs. Add a page: one import + one line.
 */
registerConnectPages((app) => mountStatic(app));
registerConnectPages(mountReviewRadarPage);
registerConnectPages(mountSettingsPage);
