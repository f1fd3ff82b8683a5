import { z } from "zod";

const Commit = z.string().regex(/^[0-9a-f]{7,64}$/i, "not a commit hash");
const Branch = z.string().min(1).max(255);

/**
 * The derived job: sync one commit of one branch (archive → scan → bundles → registration targets).
 * The repository is host-neutral: its id (the door's: Cloud `{uuid}`, Data Center `dc:…`) and its
 * display name (`workspace/slug`, `PROJ/slug`).
 */
const CurrentSchema = z
  .object({
    repository: z.object({ id: z.string().min(1).max(64), fullName: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "not a display name") }).strict(),
    commit: Commit,
    branch: Branch,
  })
  .strict();
export type ProtonSyncJob = z.infer<typeof CurrentSchema>;

/**
 * Jobs enqueued before the payload was host-neutral (`{workspace, slug, commit, branch}`, Cloud
 * only): still run after an upgrade, their repository id taken from the job's own repository.
 */
const LegacySchema = z
  .object({ workspace: z.string().min(1), slug: z.string().min(1), commit: Commit, branch: Branch })
  .strict()
  .transform((j): ProtonSyncJob => ({ repository: { id: "", fullName: `${j.workspace}/${j.slug}` }, commit: j.commit, branch: j.branch }));

export const ProtonSyncJobSchema: z.ZodType<ProtonSyncJob> = z.union([CurrentSchema, LegacySchema]) as unknown as z.ZodType<ProtonSyncJob>;

declare module "../../pipeline/events" {
  interface JobMap {
    "proton.sync": ProtonSyncJob;
  }
}
