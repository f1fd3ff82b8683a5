/** Glob patterns of the filters: `*` matches any run of characters (`release/*`, `buildkite-*`). */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*+/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/** An empty list lets everything through. */
export function matchesAny(value: string | null, globs: string[]): boolean {
  if (!globs.length) return true;
  if (value === null) return false;
  return globs.some((g) => globToRegExp(g).test(value));
}
