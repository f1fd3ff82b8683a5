import { createHash, randomBytes } from "node:crypto";

/** An opaque random token (access/refresh tokens). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** Bitbucket always shows UUIDs wrapped in braces. */
export function bracedUuid(uuid: string): string {
  return `{${uuid.replace(/^\{|\}$/g, "")}}`;
}

export function sameUuid(a: string, b: string): boolean {
  return bracedUuid(a).toLowerCase() === bracedUuid(b).toLowerCase();
}

/** Deterministic hex (sha1 of the seed), for default commit hashes. */
export function hexFromSeed(seed: string, length = 40): string {
  return createHash("sha1").update(seed).digest("hex").slice(0, length);
}

/** Deterministic `{8-4-4-4-12}` UUID from a seed. */
export function uuidFromSeed(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}}`;
}

export function randomUuid(): string {
  return uuidFromSeed(randomToken(16));
}

/** Bitbucket's timestamp format: microseconds and an explicit offset, e.g. `2015-11-20T08:01:16.433108+00:00`. */
export function bitbucketTimestamp(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}

/** Commit hashes in pull request objects are abbreviated to 12 characters by Bitbucket. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
