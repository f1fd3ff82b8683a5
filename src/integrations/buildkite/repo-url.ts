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

/** The URL without a password (`https://x-token-auth:<token>@…`), safe for a log line. */
export function redactGitUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, "$1:[redacted]@");
}
