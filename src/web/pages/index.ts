/**
 * The app's pages (React bundles built from `ui/pages/<page>.tsx`), with their titles. Both front
 * doors serve the same pages: Connect as iframe routes, Forge as Custom UI resources.
 */
export const APP_PAGES = {
  "review-radar": { title: "Review radar" },
  settings: { title: "Bitbucket Relay settings" },
  "workspace-defaults": { title: "Bitbucket Relay workspace defaults" },
  "review-insights": { title: "Review insights" },
} as const;

export type AppPage = keyof typeof APP_PAGES;
