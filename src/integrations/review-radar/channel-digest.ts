import type { HandlerRegistry } from "../../pipeline/registry";
import type { Services } from "../../core/services";
import { PermanentError } from "../../http/errors";
import { sendToChat } from "./chat/send";
import { CHAT_KINDS, CHAT_SECRET_FIELD } from "./chat/targets";
import type { Digest } from "./digest";
import { CHANNEL_DIGEST_JOB, ChannelDigestJobSchema, channelId } from "./jobs";
import { currentDigest } from "./reminder";
import type { ReminderSlots } from "./slots";

/** A digest that could not go out within this long after its slot is dropped (as for one repository's). */
const STALE_MS = 2 * 3_600_000;

/**
 * `review-radar.channel-digest`: one message to one chat channel listing the PRs waiting for
 * review in every repository that sends there in this slot (the scheduler groups them). Each
 * repository is checked again when the job runs (reminders still on, still this channel: the URL's
 * hash must match); repositories with nothing waiting are left out. Every repository's slot records
 * the send, so a retry after a successful send does not post again.
 */
export function registerChannelDigest(registry: HandlerRegistry, services: Services, slots: ReminderSlots): void {
  registry.job(CHANNEL_DIGEST_JOB, { integration: "review-radar", schema: ChannelDigestJobSchema, maxAttempts: 5 }, async (ctx) => {
    const { installation, payload } = ctx;
    const { kind, slotKey } = payload;
    const finishAll = async (uuids: string[], status: "sent" | "empty" | "skipped" | "failed", count: number | null) => {
      for (const uuid of uuids) await slots.finish(installation.id, uuid, slotKey, status, count);
    };
    const all = payload.repositories.map((r) => r.uuid);
    if (Date.now() - payload.slotAt > STALE_MS) {
      await finishAll(all, "skipped", null);
      return { ignored: "slot is too old to send" };
    }
    let url: string | null = null;
    const digests: Array<{ uuid: string; digest: Digest; waiting: number }> = [];
    const skipped: string[] = [];
    for (const repo of payload.repositories) {
      const settings = await services.settings.get(installation.id, repo.uuid, "review-radar");
      const target = settings[CHAT_SECRET_FIELD[kind]];
      if (!settings.enabled || !target || channelId(target) !== payload.channel) {
        skipped.push(repo.uuid);
        continue;
      }
      url = target;
      const { digest, waiting } = await currentDigest(services, installation, repo, settings);
      if (waiting) digests.push({ uuid: repo.uuid, digest, waiting });
      else await slots.finish(installation.id, repo.uuid, slotKey, "empty", 0);
    }
    await finishAll(skipped, "skipped", null);
    if (!url || !digests.length) return { ignored: url ? "nothing is waiting for review" : "no repository sends to this channel any more" };
    const records = await Promise.all(digests.map((d) => slots.get(installation.id, d.uuid, slotKey)));
    if (records.every((r) => r?.sentTo.includes(kind))) return { ignored: "this channel already has the digest" };
    try {
      await sendToChat(services, kind, url, digests.map((d) => d.digest));
    } catch (err) {
      if (err instanceof PermanentError || ctx.job.attempt >= ctx.job.maxAttempts) await finishAll(digests.map((d) => d.uuid), "failed", null);
      throw err;
    }
    for (const [i, d] of digests.entries()) {
      const sent = new Set([...(records[i]?.sentTo ?? []), kind]);
      await slots.markSent(installation.id, d.uuid, slotKey, CHAT_KINDS.filter((k) => sent.has(k)));
      await slots.finish(installation.id, d.uuid, slotKey, "sent", d.waiting);
    }
    return { done: { kind, repositories: digests.map((d) => d.digest.repository), pullRequests: digests.reduce((n, d) => n + d.waiting, 0) } };
  });
}
