import { matchesAnyGlob, sameName } from "../../core/names";

/**
 * Whether a branch is selected: exact names, or globs where `*` matches any run of characters
 * (compared in NFC: src/core/names.ts); no patterns selects the main branch.
 */
export function branchSelected(branch: string, patterns: readonly string[], mainBranch: string | null): boolean {
  if (!patterns.length) return sameName(branch, mainBranch);
  return matchesAnyGlob(patterns, branch);
}
