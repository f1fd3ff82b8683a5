import { registerConnectPages } from "../index";
import { mountStatic } from "./static";
import { mountConnectPage } from "./connect-page";
import { mountConnectWorkspacePage } from "../workspace-page";

/**
 * The Connect iframe pages and their static bundles. Imported once by app.ts (after `./connect`),
 * so the registrations happen before `mountConnect` runs. Each route is the URL its descriptor module
 * points at.
 */
registerConnectPages((app) => mountStatic(app));
// The repository sidebar panel (`webPanels` key `review-radar`).
registerConnectPages((app, services, addon) => mountConnectPage(app, services, addon, "/connect/panel/review-radar", "review-radar"));
// The repository settings page and activity log (`adminPages` key `relay-settings`); who may change
// what is decided by the API, per request.
registerConnectPages((app, services, addon) => mountConnectPage(app, services, addon, "/connect/settings", "settings"));
// Workspace defaults (the descriptor's `configurePage` and account-level `adminPages` key
// `relay-workspace-defaults`); workspace admins only, decided by the API per request.
registerConnectPages((app, services, addon) => mountConnectWorkspacePage(app, services, addon, "/connect/workspace-defaults"));
