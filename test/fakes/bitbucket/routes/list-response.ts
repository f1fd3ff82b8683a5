import { compileFilter, QueryError, sortItems, type FilterOptions } from "../filter-and-sort";
import { paginate, type PageLimits } from "../pagination";
import { applyFields } from "../partial-response";
import { errorReply, type Reply, type RouteContext } from "./router";

export interface ListOptions {
  limits: PageLimits;
  /** Applied when the request has no `sort`. */
  defaultSort?: string;
  /** Fields left out of each value unless `fields` asks for them, e.g. `values.participants`. */
  hidden?: string[];
  filter?: FilterOptions;
}

function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v));
}

/** A paginated collection honouring `q`, `sort`, `pagelen`, `page` and `fields`. */
export function listReply(ctx: RouteContext, items: unknown[], opts: ListOptions): Reply {
  const q = ctx.url.searchParams.get("q");
  let selected = items.map(plain);
  if (q) {
    try {
      const keep = compileFilter(q, opts.filter);
      selected = selected.filter(keep);
    } catch (err) {
      if (err instanceof QueryError) return errorReply(400, "Invalid query", { detail: err.message });
      throw err;
    }
  }
  const sort = ctx.url.searchParams.get("sort") ?? opts.defaultSort;
  if (sort) selected = sortItems(selected, sort);
  const page = paginate(selected, ctx.url, ctx.base, opts.limits);
  if (!page.ok) return errorReply(400, page.message);
  return { status: 200, json: applyFields(page.envelope, ctx.url.searchParams.get("fields"), opts.hidden) };
}

/** One object honouring `fields`. */
export function objectReply(ctx: RouteContext, status: number, obj: unknown): Reply {
  return { status, json: applyFields(plain(obj), ctx.url.searchParams.get("fields")) };
}
