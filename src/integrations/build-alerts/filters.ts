import { matchesAnyGlob } from "../../core/names";

/**
 * The filters' globs (`*` matches any run of characters: `release/*`, `buildkite-*`), compared in
 * NFC (src/core/names.ts). An empty list lets everything through.
 */
export function matchesAny(value: string | null, globs: string[]): boolean {
  if (!globs.length) return true;
  return matchesAnyGlob(globs, value);
}
