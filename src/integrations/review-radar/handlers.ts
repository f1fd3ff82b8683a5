import type { HandlerRegistry } from "../../pipeline/registry";
import type { Services } from "../../core/services";
import { commitOfStatus, PULL_REQUEST_EVENT_KEYS } from "../../bitbucket/events";
import { PermanentError } from "../../http/errors";
import { CHAT_KINDS, chatTargets, type ChatKind } from "./chat/targets";
import { sendToChat } from "./chat/send";
import { currentDigest } from "./reminder";
import { DIGEST_JOB, DigestJobSchema } from "./jobs";
import { radarOf } from "./radar";
import { ReminderSlots } from "./slots";

/** Pull request events that change what the radar shows. */
export const PULL_REQUEST_EVENTS = PULL_REQUEST_EVENT_KEYS;

/** A digest that could not go out within this long after its slot is dropped (it would be stale). */
export const DIGEST_STALE_MS = 2 * 3_600_000;

export function registerReviewRadarHandlers(registry: HandlerRegistry, services: Services): void {
  const radar = radarOf(services);
  const slots = new ReminderSlots(services.db);

  registry.on([...PULL_REQUEST_EVENTS], { name: "review-radar.invalidate", integration: "review-radar" }, async (ctx) => {
    if (!ctx.repository) return { ignored: "no repository" };
    await radar.cache.invalidate(ctx.installation.id, ctx.repository.uuid);
    return { done: { invalidated: ctx.repository.uuid, pullRequest: ctx.payload.pullrequest.id } };
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
    const targets = chatTargets(settings);
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
}
