import { createHash } from "node:crypto";

/**
 * Repository identity (issue 16, step 2). Every repository the core stores (settings, deliveries,
 * jobs, caches) is keyed by a stable id minted by the door its installation came through, at most
 * 64 characters (the width of the `repository_uuid` columns, which hold these ids):
 * - Cloud (Connect, Forge): the repository's braced UUID, lower case (`{…}`), as Bitbucket Cloud
 *   writes it: the ids stored before this scheme existed are already in this form, so no data moves.
 * - Data Center: `dc:<instance>:<repository id>`: `<instance>` is `dataCenterInstanceId(baseUrl)`
 *   (16 hex characters), `<repository id>` DC's numeric `RestRepository.id`. Slugs and project keys
 *   can be renamed; the numeric id cannot.
 */
export interface RepositoryIdFormat {
  /** The scheme's name, as a door registers it (`BitbucketApiRegistry.register`). */
  scheme: RepositoryIdScheme;
  /** The id in its one canonical form, or null when `raw` is not an id of this scheme. */
  normalise(raw: string): string | null;
}

export type RepositoryIdScheme = "cloud" | "datacenter";

const UUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;
const DC_ID = /^dc:([0-9a-f]{16}):([1-9][0-9]{0,15})$/;

export const REPOSITORY_ID_FORMATS: Readonly<Record<RepositoryIdScheme, RepositoryIdFormat>> = {
  cloud: {
    scheme: "cloud",
    normalise(raw) {
      const m = UUID.exec(raw.trim());
      return m ? `{${m[1]!.toLowerCase()}}` : null;
    },
  },
  datacenter: {
    scheme: "datacenter",
    normalise(raw) {
      const v = raw.trim().toLowerCase();
      return DC_ID.test(v) ? v : null;
    },
  },
};

/** An id of any scheme, normalised; null for anything no door mints (a 400 for the caller). */
export function normaliseRepositoryId(raw: unknown, schemes: readonly RepositoryIdScheme[] = ["cloud", "datacenter"]): string | null {
  if (typeof raw !== "string" || raw.length > 200) return null;
  for (const s of schemes) {
    const id = REPOSITORY_ID_FORMATS[s].normalise(raw);
    if (id) return id;
  }
  return null;
}

/** Cloud: the repository UUID, braced and lower case. RangeError when it is not a UUID. */
export function mintCloudRepositoryId(uuid: string): string {
  const id = REPOSITORY_ID_FORMATS.cloud.normalise(uuid);
  if (!id) throw new RangeError("not a repository UUID");
  return id;
}

/**
 * A Data Center instance's id: the first 16 hex characters of the sha256 of its base URL in
 * canonical form (scheme and host lower case, default port dropped, context path kept without its
 * trailing slash, no query or fragment), so `https://Git.Example.com:443/bitbucket/` and
 * `https://git.example.com/bitbucket` are one instance. RangeError for a URL that is not http(s).
 */
export function dataCenterInstanceId(baseUrl: string): string {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    throw new RangeError("not a URL");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new RangeError("base URL must be http(s)");
  const canonical = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`; // URL lower-cases the host and drops default ports
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

/** Data Center: `dc:<instance>:<repository id>` from the base URL and DC's numeric repository id. */
export function mintDataCenterRepositoryId(baseUrl: string, repositoryId: number): string {
  if (!Number.isSafeInteger(repositoryId) || repositoryId < 1) throw new RangeError("repository id must be a positive integer");
  return `dc:${dataCenterInstanceId(baseUrl)}:${repositoryId}`;
}
