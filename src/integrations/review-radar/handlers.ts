import type { HandlerRegistry } from "../../pipeline/registry";
import type { Services } from "../../core/services";
import { commitOfStatus, PULL_REQUEST_EVENT_KEYS } from "../../bitbucket/events";
import { PermanentError } from "../../http/errors";
import { DC_PULL_REQUEST_EVENT_KEYS } from "../../datacenter/events/payloads";
import { CHAT_KINDS, chatTargets, type ChatKind } from "./chat/targets";
import { sendToChat } from "./chat/send";
import { currentDigest } from "./reminder";
import { DIGEST_JOB, DigestJobSchema } from "./jobs";
import { radarOf } from "./radar";
import { ReminderSlots } from "./slots";
import { registerChannelDigest } from "./channel-digest";

/** Pull request events that change what the radar shows. */
export const PULL_REQUEST_EVENTS = PULL_REQUEST_EVENT_KEYS;

/**
 * The Forge product events that become pull request events once translated: the cache is emptied
 * when they are stored, so that the Forge door is as fresh after its 2xx as a Connect webhook.
 */
export const FORGE_PULL_REQUEST_EVENTS = [
  "avi:bitbucket:created:pullrequest",
  "avi:bitbucket:updated:pullrequest",
  "avi:bitbucket:fulfilled:pullrequest",
  "avi:bitbucket:rejected:pullrequest",
  "avi:bitbucket:updated:pullrequest-reviewer-status",
] as const;

/** A digest that could not go out within this long after its slot is dropped (it would be stale). */
export const DIGEST_STALE_MS = 2 * 3_600_000;

export function registerReviewRadarHandlers(registry: HandlerRegistry, services: Services): void {
  const radar = radarOf(services);
  const slots = new ReminderSlots(services.db);

  // In the transaction that stores the webhook (not in a later job): the first view after the 2xx is fresh.
  // Forge's and Data Center's raw pull request events too (their translation runs later, as a job).
  registry.onIngest([...PULL_REQUEST_EVENTS, ...FORGE_PULL_REQUEST_EVENTS, ...DC_PULL_REQUEST_EVENT_KEYS], "review-radar.invalidate", async (deliveries, transaction) => {
    const repos = deliveries.flatMap((d) => (d.repository ? [{ installationId: d.installationId, repositoryUuid: d.repository.uuid }] : []));
    await radar.cache.invalidate(repos, transaction);
  });

  registry.on(
    ["repo:commit_status_created", "repo:commit_status_updated"],
    { name: "review-radar.commit-status", integration: "review-radar" },
    async (ctx) => {
      if (!ctx.repository) return { ignored: "no repository" };
      const status = ctx.payload.commit_status;
      const commit = commitOfStatus(status);
      if (!commit) return { ignored: "status without a commit" };
      await radar.statuses.applyWebhook(ctx.installation.id, ctx.repository.uuid, commit, {
        key: status.key,
        state: status.state,
        name: status.name ?? null,
        url: status.url ?? null,
        updatedOn: status.updated_on ?? status.created_on ?? null,
      });
      return { done: { commit: commit.slice(0, 12), key: status.key, state: status.state } };
    },
  );

  registry.job(DIGEST_JOB, { integration: "review-radar", schema: DigestJobSchema, maxAttempts: 5 }, async (ctx) => {
    if (!ctx.repository) throw new PermanentError("digest job without a repository");
    const { installation, repository, payload } = ctx;
    const settings = await ctx.settings("review-radar");
    const finish = (status: "sent" | "empty" | "skipped" | "failed", count: number | null) =>
      slots.finish(installation.id, repository.uuid, payload.slotKey, status, count);
    if (!settings.enabled) {
      await finish("skipped", null);
      return { ignored: "reminders are off for this repository" };
    }
    if (Date.now() - payload.slotAt > DIGEST_STALE_MS) {
      await finish("skipped", null);
      return { ignored: "slot is too old to send" };
    }
    // Targets shared with other repositories in this slot go out in the channel digest (channel-digest.ts).
    const targets = chatTargets(settings).filter((t) => !payload.sharedKinds?.includes(t.kind));
    if (!targets.length) {
      await finish("skipped", null);
      return { ignored: "no chat target" };
    }
    const { digest, waiting } = await currentDigest(services, installation, { uuid: repository.uuid, fullName: payload.repositoryFullName ?? repository.fullName ?? null }, settings);
    if (!waiting) {
      await finish("empty", 0);
      return { ignored: "nothing is waiting for review" };
    }
    const record = await slots.get(installation.id, repository.uuid, payload.slotKey);
    const sent = new Set<ChatKind>(record?.sentTo ?? []);
    const errors: unknown[] = [];
    for (const t of targets) {
      if (sent.has(t.kind)) continue; // a retry: this target already has it
      try {
        await sendToChat(services, t.kind, t.url, digest);
        sent.add(t.kind);
        await slots.markSent(installation.id, repository.uuid, payload.slotKey, CHAT_KINDS.filter((k) => sent.has(k)));
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) {
      const permanent = errors.every((e) => e instanceof PermanentError);
      if (permanent || ctx.job.attempt >= ctx.job.maxAttempts) await finish("failed", waiting);
      throw errors.find((e) => !(e instanceof PermanentError)) ?? errors[0];
    }
    await finish("sent", waiting);
    return { done: { pullRequests: waiting, targets: [...sent] } };
  });

  registerChannelDigest(registry, services, slots);
}
