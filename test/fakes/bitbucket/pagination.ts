/**
 * Bitbucket's list-based pagination (openapi-narrative/pagination.md): `{pagelen, size, page, values,
 * next?, previous?}`. `next`/`previous` are absolute URLs to the fake carrying the request's whole
 * query (state, q, fields, ...) with `page` replaced, so a client that just follows them works.
 */

export interface PageLimits {
  defaultLen: number;
  maxLen: number;
}

/** Pull request lists: default 10, larger values are capped at 50. Most other lists: up to 100. */
export const PULL_REQUEST_PAGES: PageLimits = { defaultLen: 10, maxLen: 50 };
export const DEFAULT_PAGES: PageLimits = { defaultLen: 10, maxLen: 100 };

export type PageResult = { ok: true; envelope: Record<string, unknown> } | { ok: false; message: string };

function positiveInt(raw: string | null): number | null | "invalid" {
  if (raw === null) return null;
  return /^\d+$/.test(raw) && Number(raw) >= 1 ? Number(raw) : "invalid";
}

export function paginate(items: unknown[], url: URL, publicBase: string, limits: PageLimits): PageResult {
  const len = positiveInt(url.searchParams.get("pagelen"));
  const page = positiveInt(url.searchParams.get("page"));
  if (len === "invalid") return { ok: false, message: "Invalid pagelen" };
  if (page === "invalid") return { ok: false, message: "Invalid page" };
  const pagelen = Math.min(len ?? limits.defaultLen, limits.maxLen);
  const current = page ?? 1;
  const start = (current - 1) * pagelen;
  const envelope: Record<string, unknown> = {
    pagelen,
    size: items.length,
    values: items.slice(start, start + pagelen),
    page: current,
  };
  const link = (n: number): string => {
    const params = new URLSearchParams(url.searchParams);
    params.set("page", String(n));
    return `${publicBase}${url.pathname}?${params.toString()}`;
  };
  if (start + pagelen < items.length) envelope.next = link(current + 1);
  if (current > 1) envelope.previous = link(current - 1);
  return { ok: true, envelope };
}
