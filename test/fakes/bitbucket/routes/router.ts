import type { Authenticator } from "../auth";
import type { OpenApiValidator } from "../openapi-validator";
import type { FakeState, Identity, RepoRecord } from "../state";

/**
 * Which credential a route takes:
 * - "api": the REST API (JWT or Bearer; anonymous -> 401),
 * - "site-bearer": bitbucket.org downloads (Bearer only, a JWT is refused),
 * - "oauth-token": the token endpoint (checks its JWT itself, answers OAuth-style errors).
 */
export type Access = "api" | "site-bearer" | "oauth-token";

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  buffer?: Buffer;
  stream?: NodeJS.ReadableStream;
}

export interface RouteContext {
  method: string;
  url: URL;
  params: Record<string, string>;
  /** Parsed body: JSON value, form fields, raw text, or null. */
  body: unknown;
  /** Set when a JSON body could not be parsed. */
  bodyError?: string;
  contentType: string;
  identity: Identity;
  state: FakeState;
  auth: Authenticator;
  validator: OpenApiValidator;
  /** The fake's public URL (API and site base). */
  base: string;
}

export interface Route {
  method: string;
  /** Named groups become params (percent-decoded). */
  pattern: RegExp;
  access: Access;
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}

export type RouteMatch = { route: Route; params: Record<string, string> } | { methodNotAllowed: string[] } | undefined;

export function matchRoute(routes: Route[], method: string, pathname: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) {
      try {
        params[k] = decodeURIComponent(v);
      } catch {
        params[k] = v;
      }
    }
    return { route, params };
  }
  return allowed.length > 0 ? { methodNotAllowed: allowed } : undefined;
}

/** Bitbucket's error document. */
export function errorReply(status: number, message: string, extra: Record<string, unknown> = {}): Reply {
  return { status, json: { type: "error", error: { message, ...extra } } };
}

export function jsonReply(status: number, json: unknown): Reply {
  return { status, json };
}

/** What Bitbucket answers for a repository that is missing or that the caller may not see. */
export function repoNotFound(ctx: RouteContext): Reply {
  const { workspace, repo_slug } = ctx.params;
  return errorReply(
    404,
    "You may not have access to this repository or it no longer exists in this workspace. If you think this repository exists and you have access, make sure you are authenticated.",
    { detail: `Repository ${workspace}/${repo_slug} not found` },
  );
}

/** The repository named by the `workspace`/`repo_slug` params, if the caller may see it. */
export function visibleRepo(ctx: RouteContext): RepoRecord | undefined {
  const repo = ctx.state.findRepo(ctx.params.workspace, ctx.params.repo_slug);
  return repo && ctx.state.canAccess(ctx.identity, repo) ? repo : undefined;
}

/** Regex source for one path segment captured as a named param. */
export const seg = (name: string): string => `(?<${name}>[^/]+)`;
export const REPO = `/2\\.0/repositories/${seg("workspace")}/${seg("repo_slug")}`;
