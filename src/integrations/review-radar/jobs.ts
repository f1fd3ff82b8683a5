import { z } from "zod";

/** The digest of one reminder slot of one repository. */
export const DIGEST_JOB = "review-radar.digest";

export const DigestJobSchema = z.object({
  slotKey: z.string().min(1).max(96),
  slotAt: z.number().int(),
  repositoryFullName: z.string().nullable(),
});
export type DigestJobPayload = z.infer<typeof DigestJobSchema>;

declare module "../../pipeline/events" {
  interface JobMap {
    "review-radar.digest": DigestJobPayload;
  }
}
