/** Whether a branch is selected: exact names, or globs where `*` matches any run of characters. */
export function branchSelected(branch: string, patterns: readonly string[], mainBranch: string | null): boolean {
  if (!patterns.length) return mainBranch !== null && branch === mainBranch;
  return patterns.some((p) => {
    if (!p.includes("*")) return p === branch;
    const re = new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return re.test(branch);
  });
}
