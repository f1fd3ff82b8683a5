/**
 * Bitbucket's `q=` filter language and `sort=` parameter (openapi-narrative/filtering.md):
 * `field op value` with = != ~ !~ > >= < <=, `field [NOT] IN (v, ...)`, AND / OR (any case),
 * parentheses; values are "strings", numbers, true/false, null and unquoted ISO-8601 datetimes.
 * Field paths run through arrays and match when any element matches (`reviewers.account_id = "x"`).
 */

export class QueryError extends Error {}

type Value =
  | { kind: "string"; v: string }
  | { kind: "number"; v: number }
  | { kind: "bool"; v: boolean }
  | { kind: "null" }
  | { kind: "datetime"; v: number };
type Op = "=" | "!=" | "~" | "!~" | ">" | ">=" | "<" | "<=";
type Node =
  | { t: "and" | "or"; l: Node; r: Node }
  | { t: "cmp"; field: string; op: Op; value: Value }
  | { t: "in"; field: string; negate: boolean; values: Value[] };
type Token = { k: "op"; v: Op } | { k: "punct"; v: "(" | ")" | "," } | { k: "word"; v: string } | { k: "value"; v: Value };

export interface FilterOptions {
  /** Fields whose string values are ordered by rank, e.g. permission: ["read", "write", "admin"]. */
  ordinals?: Record<string, string[]>;
}

const OPS: Op[] = ["!=", "!~", ">=", "<=", "=", "~", ">", "<"];

function parseDatetime(raw: string): number {
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(raw) && raw.includes("T");
  const ms = Date.parse(raw.includes("T") && !hasZone ? `${raw}Z` : raw);
  if (Number.isNaN(ms)) throw new QueryError(`Invalid datetime: ${raw}`);
  return ms;
}

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ k: "punct", v: c });
      i++;
    } else if (c === '"') {
      let s = "";
      i++;
      while (i < q.length && q[i] !== '"') {
        if (q[i] === "\\" && i + 1 < q.length) i++;
        s += q[i++];
      }
      if (q[i] !== '"') throw new QueryError("Unterminated string");
      i++;
      out.push({ k: "value", v: { kind: "string", v: s } });
    } else if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(q[i + 1] ?? ""))) {
      const m = /^-?[0-9A-Za-z:.+-]+/.exec(q.slice(i));
      const raw = m ? m[0] : c;
      i += raw.length;
      if (/^\d{4}-\d{2}-\d{2}/.test(raw)) out.push({ k: "value", v: { kind: "datetime", v: parseDatetime(raw) } });
      else if (Number.isFinite(Number(raw))) out.push({ k: "value", v: { kind: "number", v: Number(raw) } });
      else throw new QueryError(`Invalid number: ${raw}`);
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(q.slice(i))![0];
      i += word.length;
      const lower = word.toLowerCase();
      if (lower === "true" || lower === "false") out.push({ k: "value", v: { kind: "bool", v: lower === "true" } });
      else if (lower === "null") out.push({ k: "value", v: { kind: "null" } });
      else out.push({ k: "word", v: word });
    } else {
      const op = OPS.find((o) => q.startsWith(o, i));
      if (!op) throw new QueryError(`Unexpected character '${c}' at ${i}`);
      out.push({ k: "op", v: op });
      i += op.length;
    }
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or();
    if (this.i < this.tokens.length) throw new QueryError("Unexpected trailing input");
    return node;
  }

  private peekWord(w: string): boolean {
    const t = this.tokens[this.i];
    return t?.k === "word" && t.v.toUpperCase() === w;
  }

  private or(): Node {
    let l = this.and();
    while (this.peekWord("OR")) {
      this.i++;
      l = { t: "or", l, r: this.and() };
    }
    return l;
  }

  private and(): Node {
    let l = this.unary();
    while (this.peekWord("AND")) {
      this.i++;
      l = { t: "and", l, r: this.unary() };
    }
    return l;
  }

  private unary(): Node {
    const t = this.tokens[this.i++];
    if (t?.k === "punct" && t.v === "(") {
      const inner = this.or();
      this.expectPunct(")");
      return inner;
    }
    if (t?.k !== "word") throw new QueryError("Expected a field name");
    const field = t.v;
    let negate = false;
    if (this.peekWord("NOT")) {
      negate = true;
      this.i++;
    }
    if (this.peekWord("IN")) {
      this.i++;
      this.expectPunct("(");
      const values = [this.value()];
      while (this.tokens[this.i]?.k === "punct" && this.tokens[this.i].v === ",") {
        this.i++;
        values.push(this.value());
      }
      this.expectPunct(")");
      return { t: "in", field, negate, values };
    }
    if (negate) throw new QueryError("Expected IN after NOT");
    const op = this.tokens[this.i++];
    if (op?.k !== "op") throw new QueryError(`Expected an operator after ${field}`);
    return { t: "cmp", field, op: op.v, value: this.value() };
  }

  private value(): Value {
    const t = this.tokens[this.i++];
    if (t?.k !== "value") throw new QueryError("Expected a value");
    return t.v;
  }

  private expectPunct(p: "(" | ")"): void {
    const t = this.tokens[this.i++];
    if (t?.k !== "punct" || t.v !== p) throw new QueryError(`Expected '${p}'`);
  }
}

/** Every value at `path`, stepping through arrays; a missing field yields undefined. */
export function valuesAt(obj: unknown, path: string): unknown[] {
  let current: unknown[] = [obj];
  for (const seg of path.split(".")) {
    const next: unknown[] = [];
    for (const c of current) {
      for (const item of Array.isArray(c) ? c : [c]) {
        next.push(typeof item === "object" && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>)[seg] : undefined);
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function equals(leaf: unknown, value: Value): boolean {
  switch (value.kind) {
    case "null":
      return leaf === null || leaf === undefined;
    case "datetime":
      return typeof leaf === "string" && Date.parse(leaf) === value.v;
    default:
      return leaf === value.v;
  }
}

function order(field: string, leaf: unknown, value: Value, opts: FilterOptions): number | null {
  const ranks = opts.ordinals?.[field];
  if (ranks && typeof leaf === "string" && value.kind === "string") {
    const a = ranks.indexOf(leaf);
    const b = ranks.indexOf(value.v);
    return a < 0 || b < 0 ? null : a - b;
  }
  if (value.kind === "number" && typeof leaf === "number") return leaf - value.v;
  if (value.kind === "datetime" && typeof leaf === "string") return Date.parse(leaf) - value.v;
  if (value.kind === "string" && typeof leaf === "string") return leaf < value.v ? -1 : leaf > value.v ? 1 : 0;
  return null;
}

function compare(field: string, leaf: unknown, op: Op, value: Value, opts: FilterOptions): boolean {
  switch (op) {
    case "=":
      return equals(leaf, value);
    case "~":
      return typeof leaf === "string" && value.kind === "string" && leaf.toLowerCase().includes(value.v.toLowerCase());
    default: {
      const o = order(field, leaf, value, opts);
      if (o === null) return false;
      return op === ">" ? o > 0 : op === ">=" ? o >= 0 : op === "<" ? o < 0 : o <= 0;
    }
  }
}

function evaluate(node: Node, obj: unknown, opts: FilterOptions): boolean {
  switch (node.t) {
    case "and":
      return evaluate(node.l, obj, opts) && evaluate(node.r, obj, opts);
    case "or":
      return evaluate(node.l, obj, opts) || evaluate(node.r, obj, opts);
    case "in": {
      const hit = valuesAt(obj, node.field).some((leaf) => node.values.some((v) => equals(leaf, v)));
      return node.negate ? !hit : hit;
    }
    case "cmp": {
      const leaves = valuesAt(obj, node.field);
      if (node.op === "!=") return !leaves.some((l) => compare(node.field, l, "=", node.value, opts));
      if (node.op === "!~") return !leaves.some((l) => compare(node.field, l, "~", node.value, opts));
      return leaves.some((l) => compare(node.field, l, node.op, node.value, opts));
    }
  }
}

/** Parses `q` once; throws QueryError on bad syntax. */
export function compileFilter(q: string, opts: FilterOptions = {}): (obj: unknown) => boolean {
  const node = new Parser(tokenize(q)).parse();
  return (obj) => evaluate(node, obj, opts);
}

/** Whether the query mentions a field (e.g. to drop the implicit `state=OPEN` of the PR list). */
export function mentionsField(q: string, field: string): boolean {
  return tokenize(q).some((t) => t.k === "word" && t.v === field);
}

/** `sort=field` ascending, `sort=-field` descending (one field only, like Bitbucket). */
export function sortItems<T>(items: T[], sort: string): T[] {
  const desc = sort.startsWith("-");
  const field = desc ? sort.slice(1) : sort;
  const key = (x: T): unknown => valuesAt(x, field)[0];
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = x === y ? 0 : x === undefined || x === null ? -1 : y === undefined || y === null ? 1 : (x as number | string) < (y as number | string) ? -1 : 1;
    return desc ? -c : c;
  });
}
