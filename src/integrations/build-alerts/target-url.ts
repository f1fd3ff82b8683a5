import { isIP } from "node:net";
import { PermanentError } from "../../http/errors";

function privateAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost") || h.endsWith(".internal")) return true;
  if (isIP(h) === 4) {
    const [a, b] = h.split(".").map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(h) === 6) return h === "::1" || h.startsWith("fc") || h.startsWith("fd") || h.startsWith("fe80") || h.startsWith("::ffff:");
  return false;
}

/**
 * A customer-given target URL must be https to a public host in production (no calls into the app's
 * own network). Outside production (tests, laptops) http and local hosts are allowed. Name lookups are
 * not checked: a public name resolving to a private address is not caught here.
 */
export function checkTargetUrl(url: string, production: boolean): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PermanentError("target URL is not a valid URL");
  }
  if (!production) return u;
  if (u.protocol !== "https:") throw new PermanentError("target URL must use https");
  if (privateAddress(u.hostname)) throw new PermanentError("target URL must be a public host");
  return u;
}
