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

const httpUrl = z.string().refine((v) => /^https?:\/\/[^\s/]/i.test(v) && URL.canParse(v), "must be an http(s) URL");

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
      parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
      problems.push(`BITBUCKET_DC_INSTANCES_FILE: cannot read ${file} as JSON (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (parsed !== undefined) {
      const r = FileSchema.safeParse(parsed);
      if (r.success) raw = r.data.instances;
      else for (const i of r.error.issues) problems.push(`BITBUCKET_DC_INSTANCES_FILE: ${i.path.join(".") || "(file)"}: ${i.message}`);
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
  const where = file ? "BITBUCKET_DC_INSTANCES_FILE" : "BITBUCKET_DC_BASE_URL";
  const seen = new Set<string>();
  instances.forEach((inst, n) => {
    const label = file ? `${where}: instances.${n}.baseUrl` : where;
    if (seen.has(inst.id)) problems.push(`${label}: ${inst.baseUrl} is listed twice`);
    seen.add(inst.id);
    if (production && !inst.baseUrl.startsWith("https://")) problems.push(`${label}: must be an https:// URL when NODE_ENV=production`);
  });
  return { instances: problems.length ? [] : instances, problems };
}
