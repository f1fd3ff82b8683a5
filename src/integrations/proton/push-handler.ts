import type { HandlerRegistry } from "../../pipeline/registry";
import { nameKey } from "../../core/names";
import { branchSelected } from "./branches";

/**
 * `repo:push` → one `proton.sync` job per updated branch that the settings select (default: the
 * main branch), for the branch's new head commit. Deduplicated per (repository, branch, commit).
 */
export function registerPushHandler(registry: HandlerRegistry): void {
  registry.on("repo:push", { name: "proton.push", integration: "proton", requiresEnabled: true }, async (ctx) => {
    const settings = await ctx.settings("proton");
    const repo = ctx.payload.repository;
    const heads = ctx.payload.push.changes.flatMap((c) =>
      c.new && c.new.type === "branch" && c.new.target?.hash ? [{ branch: c.new.name, commit: c.new.target.hash }] : [],
    );
    if (!heads.length) return { ignored: "no branch head in this push" };
    let mainBranch: string | null = repo.mainbranch?.name ?? null;
    if (!settings.branches.length && !mainBranch) {
      mainBranch = (await ctx.bitbucket.repository({ id: repo.uuid, fullName: repo.full_name })).mainBranch;
    }
    const selected = heads.filter((h) => branchSelected(h.branch, settings.branches, mainBranch));
    if (!selected.length) return { ignored: `no selected branch in this push (${heads.map((h) => h.branch).join(", ")})` };
    for (const h of selected) {
      await ctx.enqueue(
        "proton.sync",
        { repository: { id: repo.uuid, fullName: repo.full_name }, commit: h.commit, branch: h.branch },
        { dedupeKey: `proton.sync:${repo.uuid}:${nameKey(h.branch)}:${h.commit}` },
      );
    }
    return { done: { enqueued: selected.map((h) => `${h.branch}@${h.commit.slice(0, 12)}`) } };
  });
}
