import { Router, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { sendError } from "../errors";

export type WriteMethod = "post" | "put" | "patch" | "delete";
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Keys that would reach an object's prototype machinery instead of being stored (prototype pollution). */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const declared = new WeakMap<Router, Array<{ method: WriteMethod; path: string }>>();

/**
 * Registers a write route that takes no request body (an action, a replay) on `router`: the one
 * explicit exemption from the JSON body rule of the API router. `path` is an Express path.
 */
export function bodylessRoute(router: Router, method: WriteMethod, path: string, ...handlers: RequestHandler[]): void {
  router[method](path, ...handlers);
  declared.set(router, [...(declared.get(router) ?? []), { method, path }]);
}

function hasBody(req: Request): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** The dot path of the first forbidden key at any depth, or null. Iterative (a deep body cannot exhaust the stack). */
export function forbiddenKeyPath(value: unknown): string | null {
  const stack: Array<{ node: unknown; path: string }> = [{ node: value, path: "" }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (!node || typeof node !== "object") continue;
    for (const key of Object.keys(node)) {
      const here = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return here;
      stack.push({ node: (node as Record<string, unknown>)[key], path: here });
    }
  }
  return null;
}

/**
 * The JSON body rule of every write (POST/PUT/PATCH/DELETE) of the page API, whichever front door
 * mounts it (docs/openapi.yaml): a body in another media type than `application/json` → 415; no body,
 * or one that is not a non-empty JSON object → 400; a key `__proto__` / `constructor` / `prototype`
 * at any depth → 400 naming the field. Routes registered with `bodylessRoute` are exempt.
 * `routers` are the API's route routers (their bodyless declarations are read here).
 */
export function jsonBodyPolicy(routers: Router[]): Router {
  const policy = Router();
  const exempt: RequestHandler = (_req, res, next) => {
    res.locals.bodyless = true;
    next();
  };
  for (const r of routers) for (const d of declared.get(r) ?? []) policy[d.method](d.path, exempt);
  policy.use((req: Request, res: Response, next: NextFunction) => {
    if (!WRITE_METHODS.has(req.method) || res.locals.bodyless) return next();
    const type = req.get("content-type");
    if (type && !req.is("application/json")) {
      return sendError(res, 415, `Content-Type must be application/json (got ${type.split(";")[0]!.trim().slice(0, 100)})`);
    }
    if (!hasBody(req)) return sendError(res, 400, "request body is missing: send a JSON object");
    if (!type) return sendError(res, 415, "Content-Type must be application/json (none was sent)");
    const body: unknown = req.body;
    if (!body || typeof body !== "object" || Array.isArray(body)) return sendError(res, 400, "request body must be a JSON object");
    if (!Object.keys(body).length) return sendError(res, 400, "request body is empty: nothing to do");
    const forbidden = forbiddenKeyPath(body);
    if (forbidden) return sendError(res, 400, `request body field "${forbidden}" is not allowed`);
    next();
  });
  return policy;
}
