import { createHash } from "node:crypto";
import { z } from "zod";

/** The digest of one reminder slot of one repository. */
export const DIGEST_JOB = "review-radar.digest";

export const DigestJobSchema = z.object({
  slotKey: z.string().min(1).max(96),
  slotAt: z.number().int(),
  repositoryFullName: z.string().nullable(),
  /** Chat targets this repository shares with others in the slot: the channel digest job sends those. */
  sharedKinds: z.array(z.enum(["slack", "teams", "googleChat"])).optional(),
});
export type DigestJobPayload = z.infer<typeof DigestJobSchema>;

/** One message to one chat channel (webhook URL) listing the pull requests of every repository sending there in a slot. */
export const CHANNEL_DIGEST_JOB = "review-radar.channel-digest";

export const ChannelDigestJobSchema = z.object({
  slotKey: z.string().min(1).max(96),
  slotAt: z.number().int(),
  kind: z.enum(["slack", "teams", "googleChat"]),
  /** A hash of the channel's webhook URL (the URL itself is a secret: it stays in the settings). */
  channel: z.string().regex(/^[0-9a-f]{32}$/),
  repositories: z.array(z.object({ uuid: z.string().min(1).max(64), fullName: z.string().nullable() })).min(2).max(500),
});
export type ChannelDigestJobPayload = z.infer<typeof ChannelDigestJobSchema>;

declare module "../../pipeline/events" {
  interface JobMap {
    "review-radar.digest": DigestJobPayload;
    "review-radar.channel-digest": ChannelDigestJobPayload;
  }
}

/** The job-safe name of a chat channel: a hash of its webhook URL (sha256, 32 hex). */
export function channelId(url: string): string {
  return createHash("sha256").update(url).digest("hex").slice(0, 32);
}
