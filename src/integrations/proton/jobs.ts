import { z } from "zod";

/** The derived job: sync one commit of one branch (archive → scan → bundles → registration targets). */
export const ProtonSyncJobSchema = z
  .object({
    workspace: z.string().min(1),
    slug: z.string().min(1),
    commit: z.string().regex(/^[0-9a-f]{7,64}$/i, "not a commit hash"),
    branch: z.string().min(1).max(255),
  })
  .strict();
export type ProtonSyncJob = z.infer<typeof ProtonSyncJobSchema>;

declare module "../../pipeline/events" {
  interface JobMap {
    "proton.sync": ProtonSyncJob;
  }
}
