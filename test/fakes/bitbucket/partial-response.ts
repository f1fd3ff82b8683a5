/**
 * Bitbucket's `fields` query parameter (openapi-narrative/partial-response.md):
 *   `-a.b`  removes a field from the default representation,
 *   `+a.b`  adds a field, including ones hidden by default (e.g. `values.participants` on lists),
 *   `a.b`   (no prefix) starts from an empty document and keeps only the listed fields,
 *   `*`     matches every field on one level (`-*,+foo`, `+values.participants.*`, `-links.*` -> `"links": {}`).
 * Terms are applied in order. Paths run through arrays (`values.id` = the id of every value).
 * Only the envelope fields asked for survive a restricting list, so `fields=values.id` drops `next`
 * exactly as Bitbucket does. A literal "+" in the URL decodes to a space and so matches nothing.
 */

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/**
 * @param full   the complete document, hidden fields included
 * @param fields the raw `fields` parameter (null when absent)
 * @param hidden dotted paths omitted unless asked for (e.g. `values.participants`)
 */
export function applyFields(full: unknown, fields: string | null, hidden: string[] = []): unknown {
  const defaults = clone(full);
  for (const h of hidden) removePath(defaults, h.split("."));
  if (fields === null || fields === "") return defaults;

  const terms = fields.split(",").filter((t) => t.length > 0);
  const restrict = terms.some((t) => t[0] !== "+" && t[0] !== "-");
  let result: unknown = restrict ? emptyLike(full) : defaults;
  for (const term of terms) {
    const remove = term[0] === "-";
    const path = term[0] === "+" || term[0] === "-" ? term.slice(1) : term;
    const segs = path.split(".");
    if (remove) removePath(result, segs);
    else result = addPath(result, full, segs) ?? result;
  }
  return result;
}

function emptyLike(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(emptyLike);
  return isObj(v) ? {} : v;
}

/** Copies `segs` of `source` into `target` (creating containers); returns the new target. */
function addPath(target: unknown, source: unknown, segs: string[]): unknown {
  if (segs.length === 0) return clone(source);
  if (Array.isArray(source)) {
    const t: unknown[] = Array.isArray(target) ? target : source.map(emptyLike);
    source.forEach((item, i) => {
      const next = addPath(t[i] ?? emptyLike(item), item, segs);
      if (next !== undefined) t[i] = next;
    });
    return t;
  }
  if (!isObj(source)) return target;
  const t: Obj = isObj(target) ? target : {};
  const [seg, ...rest] = segs;
  const keys = seg === "*" ? Object.keys(source) : Object.prototype.hasOwnProperty.call(source, seg) ? [seg] : [];
  for (const k of keys) {
    const next = addPath(t[k], source[k], rest);
    if (next !== undefined) t[k] = next;
  }
  return t;
}

function removePath(target: unknown, segs: string[]): void {
  if (segs.length === 0) return;
  if (Array.isArray(target)) {
    for (const item of target) removePath(item, segs);
    return;
  }
  if (!isObj(target)) return;
  const [seg, ...rest] = segs;
  const keys = seg === "*" ? Object.keys(target) : [seg];
  for (const k of keys) {
    if (rest.length === 0) delete target[k];
    else removePath(target[k], rest);
  }
}
