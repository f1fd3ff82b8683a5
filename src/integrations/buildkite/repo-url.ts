import { sameName } from "../../core/names";

/**
 * Matching a Buildkite pipeline's git URL to a Bitbucket repository. Every clone URL form:
 *   git@bitbucket.org:ws/slug.git        bitbucket.org:ws/slug
 *   https://bitbucket.org/ws/slug(.git)  https://user@bitbucket.org/ws/slug.git  https://x-token-auth:tok@bitbucket.org/ws/slug
 *   ssh://git@bitbucket.org/ws/slug.git  ssh://git@altssh.bitbucket.org:443/ws/slug.git  git+ssh://…
 * Case-insensitive (Bitbucket slugs are lower case), trailing slash and `.git` optional.
 */
export interface GitLocation {
  host: string;
  workspace: string;
  slug: string;
}

const BITBUCKET_HOSTS = ["bitbucket.org", "www.bitbucket.org", "altssh.bitbucket.org"];

export function parseGitUrl(raw: string): GitLocation | null {
  const url = raw.trim();
  if (!url) return null;
  let host: string;
  let path: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(url);
  if (scheme) {
    const rest = scheme[2]!;
    const slash = rest.indexOf("/");
    if (slash < 0) return null;
    const authority = rest.slice(0, slash);
    path = rest.slice(slash + 1);
    host = authority.slice(authority.lastIndexOf("@") + 1).replace(/:\d+$/, "");
  } else {
    // scp-like: [user@]host:path (the colon comes before any slash)
    const m = /^(?:[^@/\s]+@)?([^:/\s]+):(.+)$/.exec(url);
    if (!m) return null;
    host = m[1]!;
    path = m[2]!;
  }
  const segments = path
    .split(/[?#]/)[0]!
    .replace(/\.git\/?$/i, "")
    .split("/")
    .filter(Boolean);
  if (segments.length !== 2) return null;
  const [workspace, slug] = segments.map((s) => decodeURIComponent(s).toLowerCase().replace(/\.git$/, ""));
  if (!workspace || !slug) return null;
  return { host: host.toLowerCase(), workspace, slug };
}

/** Hosts that count as this installation's Bitbucket: bitbucket.org and the installation's own site. */
export function bitbucketHosts(siteUrl: string): string[] {
  const hosts = [...BITBUCKET_HOSTS];
  try {
    hosts.push(new URL(siteUrl).hostname.toLowerCase());
  } catch {
    // a malformed site URL adds nothing
  }
  return hosts;
}

/** True when the git URL points at the repository `workspace/slug` on one of the hosts. */
export function gitUrlMatches(gitUrl: string, fullName: string, hosts: string[]): boolean {
  const loc = parseGitUrl(gitUrl);
  if (!loc || !hosts.includes(loc.host)) return false;
  const [ws, slug] = fullName.split("/");
  return sameName(loc.workspace, ws, { ignoreCase: true }) && sameName(loc.slug, slug, { ignoreCase: true });
}

/** A repository on a Data Center instance, as its clone URL names it (`project` as written: DC clone URLs lower-case the key). */
export interface DataCenterGitLocation {
  project: string;
  slug: string;
}

/** scheme, user, host (lower case, no port) and path of a git URL (URL or scp-like form), or null. */
function splitGitUrl(raw: string): { scheme: string | null; host: string; path: string } | null {
  const url = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(url);
  if (scheme) {
    const rest = scheme[2]!;
    const slash = rest.indexOf("/");
    if (slash < 0) return null;
    const authority = rest.slice(0, slash);
    const host = authority.slice(authority.lastIndexOf("@") + 1).replace(/:\d+$/, "");
    return { scheme: scheme[1]!.toLowerCase(), host: host.toLowerCase(), path: rest.slice(slash + 1) };
  }
  const m = /^(?:[^@/\s]+@)?([^:/\s]+):(.+)$/.exec(url);
  return m ? { scheme: null, host: m[1]!.toLowerCase(), path: m[2]! } : null;
}

function segmentsOf(path: string): string[] | null {
  try {
    return path
      .split(/[?#]/)[0]!
      .replace(/\.git\/?$/i, "")
      .split("/")
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
  } catch {
    return null; // a malformed %-escape
  }
}

/**
 * A Bitbucket Data Center clone URL of the instance at `baseUrl` (context path included), or null
 * when the URL is not one of that instance's repositories. The forms DC shows under "Clone":
 *   https://[user[:token]@]host[:port][/context]/scm/<project>/<slug>.git   (HTTP(S): context path, then `scm`)
 *   ssh://git@host:7999/<project>/<slug>.git                              (SSH: no context path, no `scm`)
 *   git@host:<project>/<slug>.git                                        (scp-like, when DC's SSH port is 22)
 * Personal repositories have the project `~<user slug>`. DC writes project keys lower case in clone
 * URLs (keys are upper case in the UI and REST); callers compare both parts case-insensitively
 * (project keys and repository slugs are unique regardless of case on DC). The SSH host must be the
 * base URL's host: an SSH base URL on another host (DC's "SSH base URL" setting) is not matched
 * (use an explicit pipeline mapping).
 */
export function parseDataCenterGitUrl(raw: string, baseUrl: string): DataCenterGitLocation | null {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    return null;
  }
  const parts = splitGitUrl(raw);
  if (!parts || parts.host !== base.hostname.toLowerCase()) return null;
  const segments = segmentsOf(parts.path);
  if (!segments) return null;
  let rest = segments;
  if (parts.scheme === "http" || parts.scheme === "https") {
    const context = base.pathname.split("/").filter(Boolean);
    const prefix = [...context, "scm"];
    if (rest.length !== prefix.length + 2 || prefix.some((p, i) => rest[i] !== p)) return null;
    rest = rest.slice(prefix.length);
  } else if (parts.scheme !== null && !/^(?:git\+)?ssh$|^ssh\+git$/.test(parts.scheme)) {
    return null;
  }
  if (rest.length !== 2) return null;
  const [project, slug] = rest as [string, string];
  return project && slug ? { project, slug } : null;
}

/** True when the git URL is the clone URL of `PROJ/slug` on the Data Center instance at `baseUrl`. */
export function dataCenterGitUrlMatches(gitUrl: string, fullName: string, baseUrl: string): boolean {
  const loc = parseDataCenterGitUrl(gitUrl, baseUrl);
  if (!loc) return false;
  const [project, slug] = fullName.split("/");
  return sameName(loc.project, project, { ignoreCase: true }) && sameName(loc.slug, slug, { ignoreCase: true });
}

/** Decides whether a pipeline's git URL is a repository's clone URL (`fullName` as the host names it). */
export type CloneUrlMatcher = (gitUrl: string, fullName: string) => boolean;

/**
 * The clone-URL rules of an installation's Bitbucket: a Data Center installation (its host scope is
 * a configured instance's id) matches that instance's clone URLs; any other installation matches
 * Bitbucket Cloud's forms on bitbucket.org and its own site (`bitbucketHosts`).
 */
export function cloneUrlMatcher(
  installation: { hostScope: string | null; baseUrl: string },
  instances: ReadonlyArray<{ id: string; baseUrl: string }>,
): CloneUrlMatcher {
  const instance = instances.find((i) => i.id === installation.hostScope);
  if (instance) return (gitUrl, fullName) => dataCenterGitUrlMatches(gitUrl, fullName, instance.baseUrl);
  const hosts = bitbucketHosts(installation.baseUrl);
  return (gitUrl, fullName) => gitUrlMatches(gitUrl, fullName, hosts);
}

/** The URL without a password (`https://x-token-auth:<token>@…`), safe for a log line. */
export function redactGitUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, "$1:[redacted]@");
}
