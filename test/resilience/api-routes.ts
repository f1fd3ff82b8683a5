import { randomUUID } from "node:crypto";
import type { Router } from "express";
import type { Harness } from "../helpers/harness";
import type { Integration } from "../../src/integrations";
import { API_ROUTES } from "../../src/web/api/routes";

export type Route = { method: string; path: string };

/** Routes whose path names a repository (or a job of one). */
export const UUID_IN_PATH = /:(repoUuid|jobId)/;

/** The JSON API's routes as the routers declare them (the app's own and the integrations'), plus `/me`. */
export function apiRoutes(h: Harness, integrations: Integration[]): Route[] {
  const routers: Router[] = [...API_ROUTES.map((f) => f(h.services)), ...integrations.flatMap((i) => (i.apiRoutes ? [i.apiRoutes(h.services)] : []))];
  const out: Route[] = [{ method: "GET", path: "/me" }];
  for (const r of routers) {
    for (const layer of (r as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack) {
      if (!layer.route) continue;
      for (const m of Object.keys(layer.route.methods)) out.push({ method: m.toUpperCase(), path: layer.route.path });
    }
  }
  return out;
}

/**
 * A concrete request for a route on `repoUuid`: path parameters filled, and routes that name their
 * repository in the query or body (`?repoUuid=`, `{"repoUuid": …}`) given it there.
 */
export function concrete(path: string, repoUuid: string): string {
  return path
    .replace(":repoUuid", encodeURIComponent(repoUuid))
    .replace(":jobId", randomUUID())
    .replace(":integration", "buildkite")
    .replace(":action", "nothing");
}

/** The request of `route` aimed at `repoUuid`, wherever that route takes its repository. */
export function requestFor(route: Route, repoUuid: string): { path: string; body: string | undefined } {
  const path = concrete(route.path, repoUuid);
  if (route.method === "GET") {
    const named = UUID_IN_PATH.test(route.path) || route.path === "/me";
    return { path: named ? path : `${path}?repoUuid=${encodeURIComponent(repoUuid)}`, body: undefined };
  }
  if (UUID_IN_PATH.test(route.path)) return { path, body: JSON.stringify({ values: { enabled: true } }) };
  return { path, body: JSON.stringify({ repoUuid, commits: ["5a741616cdf07dc87c5adafe784321eeeb639e33"] }) };
}
