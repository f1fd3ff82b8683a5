/**
 * The one way the app compares names: branch names, refnames, status keys, pipeline slugs, and the
 * `*` globs of settings that select them. Both sides are compared in Unicode NFC, so `feature/über`
 * typed on a keyboard (NFC, U+00FC) matches the same name sent decomposed (NFD, `u` + U+0308, as
 * macOS tools often produce). Git itself stores ref names as bytes; Bitbucket, Buildkite and the
 * incident tools show both forms as the same text, which is what a repository admin means.
 * Names are stored and echoed exactly as received: only comparisons (and identities derived from a
 * name, via `nameKey`) use the normalised form.
 */

export interface NameMatchOptions {
  /** Also ignore case (pipeline slugs, workspace/repository slugs, host names). Default false. */
  ignoreCase?: boolean;
}

/** The comparison form of a name: NFC, lower-cased (locale-independent) with `ignoreCase`. */
export function nameKey(name: string, o: NameMatchOptions = {}): string {
  const nfc = name.normalize("NFC");
  return o.ignoreCase ? nfc.toLowerCase().normalize("NFC") : nfc;
}

/** Whether two names are the same name. A missing name (null/undefined) equals nothing. */
export function sameName(a: string | null | undefined, b: string | null | undefined, o: NameMatchOptions = {}): boolean {
  if (a == null || b == null) return false;
  return a === b || nameKey(a, o) === nameKey(b, o);
}

const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 500;

function globRegExp(pattern: string, o: NameMatchOptions): RegExp {
  const key = `${o.ignoreCase ? "i" : "c"}:${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    const body = nameKey(pattern, o)
      .split(/\*+/)
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${body}$`, "su");
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, re);
  }
  return re;
}

/**
 * Whether `name` matches the glob `pattern`: `*` matches any run of characters (including `/`),
 * everything else is literal (`release/*`, `buildkite-*`, `feature/über-*`); a pattern without `*`
 * is an exact name.
 */
export function globMatches(pattern: string, name: string, o: NameMatchOptions = {}): boolean {
  return globRegExp(pattern, o).test(nameKey(name, o));
}

/** Whether `name` matches any of the globs (an empty list matches nothing: callers decide what "no filter" means). */
export function matchesAnyGlob(patterns: readonly string[], name: string | null | undefined, o: NameMatchOptions = {}): boolean {
  if (name == null) return false;
  return patterns.some((p) => globMatches(p, name, o));
}
