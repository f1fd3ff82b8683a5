import fs from "node:fs";
import { z } from "zod";
import { dataCenterInstanceId } from "../bitbucket/repository-id";

/**
 * The Bitbucket Data Center instances the DC front door serves (issue 16). One instance from the
 * `BITBUCKET_DC_*` variables, or several from the JSON file `BITBUCKET_DC_INSTANCES_FILE`
 * (`{"instances":[{baseUrl, token, clientId, clientSecret, name?}]}`), never both. Each instance needs:
 * - `baseUrl`: DC's base URL, context path included (`https://git.example.com/bitbucket`);
 * - `token`: an HTTP access token of a service account (sent only as `Authorization: Bearer`; DC
 *   project/repository tokens work only that way: reference datacenter-app.md §0.3);
 * - `clientId` / `clientSecret`: the OAuth 2.0 incoming application link ("Log in with Bitbucket").
 */
export interface DataCenterInstanceConfig {
  /** `dataCenterInstanceId(baseUrl)`: 16 hex characters, the instance's scope in repository ids. */
  id: string;
  /** The base URL in canonical form, no trailing slash. */
  baseUrl: string;
  /** What pages call it (default: the base URL's host and path). */
  name: string;
  token: string;
  oauth: { clientId: string; clientSecret: string };
}

/**
 * Why `value` is not usable as a base URL (an http(s) URL with a path only), or null. A query, a
 * fragment or user info would be cut silently or leak a password into links and logs; the problem
 * never quotes the value.
 */
export function baseUrlProblem(value: string): string | null {
  if (!/^https?:\/\/[^\s/]/i.test(value) || !URL.canParse(value)) return "must be an http(s) URL";
  const u = new URL(value);
  if (u.username || u.password) return "must not carry user info (user:password@); give the URL without it";
  if (u.search || u.hash || /[?#]/.test(value)) return "must not carry a query (?…) or fragment (#…); give the base URL with its context path only";
  return null;
}

const httpUrl = z.string().superRefine((v, ctx) => {
  const problem = baseUrlProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const InstanceSchema = z.object({
  baseUrl: httpUrl,
  token: z.string().min(1, "must not be empty"),
  clientId: z.string().min(1, "must not be empty"),
  clientSecret: z.string().min(1, "must not be empty"),
  name: z.string().min(1).max(100).optional(),
});
const FileSchema = z.object({ instances: z.array(InstanceSchema).min(1, "must list at least one instance") });

/** The variables of the single-instance form (their doc comments live in EnvSchema). */
export const DATA_CENTER_VARS = ["BITBUCKET_DC_BASE_URL", "BITBUCKET_DC_TOKEN", "BITBUCKET_DC_CLIENT_ID", "BITBUCKET_DC_CLIENT_SECRET"] as const;

function canonical(baseUrl: string): string {
  const u = new URL(baseUrl);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
}

function toInstance(i: z.infer<typeof InstanceSchema>): DataCenterInstanceConfig {
  const baseUrl = canonical(i.baseUrl);
  const u = new URL(baseUrl);
  return {
    id: dataCenterInstanceId(baseUrl),
    baseUrl,
    name: i.name ?? `${u.host}${u.pathname === "/" ? "" : u.pathname}`,
    token: i.token,
    oauth: { clientId: i.clientId, clientSecret: i.clientSecret },
  };
}

/**
 * The instances file as JSON. Throws an Error whose message says what is wrong and where (line and
 * column of a syntax fault) and never quotes the file's content: the file holds
 * tokens and client secrets, and V8's JSON errors quote the text around the fault.
 */
function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? "read error"})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    if (/Unexpected end of JSON input/.test((err as Error).message)) throw new Error('not valid JSON: it ends too early (expected {"instances":[…]})');
    const offset = jsonFaultOffset(text, (err as Error).message);
    if (offset === null) throw new Error('not valid JSON (expected {"instances":[…]})');
    const before = text.slice(0, offset).split("\n");
    throw new Error(`not valid JSON at line ${before.length}, column ${before[before.length - 1]!.length + 1} (expected {"instances":[…]})`);
  }
}

/**
 * The 0-based offset of a JSON syntax fault. V8 names the position for most faults ("… at position
 * 7") but not for "Unexpected token" (it quotes the text instead); then the shortest prefix that is
 * already broken (not merely incomplete) ends at the fault: found by bisection, as validity of a prefix
 * only ever goes from "possibly fine" to "broken".
 */
function jsonFaultOffset(text: string, message: string): number | null {
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const broken = (k: number): boolean => {
    try {
      JSON.parse(text.slice(0, k));
      return false;
    } catch (e) {
      const m = (e as Error).message;
      const pos = /at position (\d+)/.exec(m);
      return !/Unexpected end of JSON input/.test(m) && !(pos && Number(pos[1]) >= k);
    }
  };
  if (!broken(text.length)) return null;
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (broken(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

/** `instance 2 ("Main DC")`: 1-based, named by its `name` or base URL (host and path only, never user info). */
function instanceLabel(index: number, entry: unknown): string {
  const e = (entry && typeof entry === "object" ? entry : {}) as Record<string, unknown>;
  let shown: string | null = null;
  if (typeof e.name === "string" && e.name.trim()) shown = e.name.trim();
  else if (typeof e.baseUrl === "string" && URL.canParse(e.baseUrl)) {
    const u = new URL(e.baseUrl);
    shown = `${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  }
  if (shown && shown.length > 60) shown = `${shown.slice(0, 60)}…`;
  return `instance ${index + 1}${shown ? ` (${JSON.stringify(shown)})` : ""}`;
}

/**
 * The schema's issues in the env-var path's words: `instance 1 ("Main"): clientSecret is required`.
 * Only the field's name and what is wrong with it; a value is never quoted.
 */
function fileProblems(parsed: unknown, issues: ReadonlyArray<{ code: string; path: PropertyKey[]; message: string }>): string[] {
  const instances = (parsed as { instances?: unknown })?.instances;
  const out: string[] = [];
  for (const issue of issues) {
    const [top, index, field] = issue.path;
    if (top !== "instances" || index === undefined) {
      out.push(Array.isArray(instances) ? `instances ${issue.message}` : 'must be an object {"instances":[{baseUrl, token, clientId, clientSecret, name?}, …]}');
      continue;
    }
    const entry = Array.isArray(instances) ? instances[Number(index)] : undefined;
    const where = instanceLabel(Number(index), entry);
    if (field === undefined) {
      out.push(`${where}: must be an object {baseUrl, token, clientId, clientSecret, name?}`);
      continue;
    }
    const value = (entry as Record<string, unknown>)[String(field)];
    const what =
      value === undefined || value === null
        ? "is required"
        : issue.code === "invalid_type"
          ? "must be a string"
          : issue.code === "too_small"
            ? "must not be empty"
            : issue.code === "too_big"
              ? "must be at most 100 characters"
              : issue.message;
    out.push(`${where}: ${String(field)} ${what}`);
  }
  return [...new Set(out)];
}

/**
 * The configured instances, or the problems (one complete line each, never a secret's value).
 * Reads the instances file when named (nothing is written). Production needs https base URLs (DC's
 * OAuth 2.0 provider refuses an http base URL: datacenter-app.md §1.2).
 */
export function loadDataCenterInstances(env: Record<string, string>, production: boolean): { instances: DataCenterInstanceConfig[]; problems: string[] } {
  const problems: string[] = [];
  const single = DATA_CENTER_VARS.filter((v) => env[v] !== undefined);
  const file = env.BITBUCKET_DC_INSTANCES_FILE;
  let raw: Array<z.infer<typeof InstanceSchema>> = [];
  if (file && single.length) problems.push(`BITBUCKET_DC_INSTANCES_FILE: set it or ${single.join(", ")}, not both`);
  else if (file) {
    let parsed: unknown;
    try {
      parsed = readJsonFile(file);
    } catch (err) {
      problems.push(`BITBUCKET_DC_INSTANCES_FILE: ${file}: ${(err as Error).message}`);
    }
    if (parsed !== undefined) {
      const r = FileSchema.safeParse(parsed);
      if (r.success) raw = r.data.instances;
      else for (const line of fileProblems(parsed, r.error.issues)) problems.push(`BITBUCKET_DC_INSTANCES_FILE: ${file}: ${line}`);
    }
  } else if (single.length) {
    const missing = DATA_CENTER_VARS.filter((v) => env[v] === undefined);
    for (const v of missing) problems.push(`${v}: required with ${single.join(", ")} (the Data Center door needs all four)`);
    if (!missing.length) {
      const r = InstanceSchema.safeParse({ baseUrl: env.BITBUCKET_DC_BASE_URL, token: env.BITBUCKET_DC_TOKEN, clientId: env.BITBUCKET_DC_CLIENT_ID, clientSecret: env.BITBUCKET_DC_CLIENT_SECRET });
      if (r.success) raw = [r.data];
      else for (const i of r.error.issues) problems.push(`BITBUCKET_DC_${String(i.path[0]).replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}: ${i.message}`);
    }
  }
  if (problems.length) return { instances: [], problems };
  const instances = raw.map(toInstance);
  const seen = new Set<string>();
  instances.forEach((inst, n) => {
    const label = file ? `BITBUCKET_DC_INSTANCES_FILE: ${file}: ${instanceLabel(n, raw[n])}: baseUrl` : "BITBUCKET_DC_BASE_URL";
    if (seen.has(inst.id)) problems.push(`${label}: ${inst.baseUrl} is listed twice`);
    seen.add(inst.id);
    if (production && !inst.baseUrl.startsWith("https://")) problems.push(`${label}: must be an https:// URL when NODE_ENV=production`);
  });
  return { instances: problems.length ? [] : instances, problems };
}
