import { randomUUID } from "node:crypto";
import type { Services } from "../../core/services";
import { Installation } from "../../models";
import { chatTargets } from "./chat/targets";
import { dueSlots, type Slot } from "./schedule";
import { ReminderSlots } from "./slots";
import { DIGEST_JOB } from "./jobs";

export interface SchedulerOptions {
  /** How often the schedule is checked. */
  intervalMs: number;
  /** Slots this far back are still sent (an instance that was down, a late tick); claims make it once. */
  lookbackMs: number;
  /** The clock (tests pass a fake one). */
  now?: () => number;
  instanceId?: string;
}

export interface ClaimedSlot {
  installationId: string;
  repositoryUuid: string;
  slot: Slot;
}

const KEEP_MS = 30 * 24 * 3_600_000;

/**
 * Checks every repository's reminder schedule and claims due slots in the database; the winner
 * enqueues the digest job in the same transaction. Every instance runs one; each slot sends once.
 */
export class ReminderScheduler {
  readonly instanceId: string;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private lastTick: number | null = null;
  private readonly slots: ReminderSlots;
  private readonly now: () => number;

  constructor(
    private readonly services: Services,
    private readonly opts: SchedulerOptions,
  ) {
    this.slots = new ReminderSlots(services.db);
    this.now = opts.now ?? Date.now;
    this.instanceId = opts.instanceId ?? `radar-${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.tick().catch((err: unknown) => this.services.log.error({ err }, "review radar: schedule check failed"));
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Claims the slots due in (last check, now] (at most `lookbackMs` back) and enqueues their digests. */
  async tick(now = this.now()): Promise<ClaimedSlot[]> {
    const from = Math.max(this.lastTick ?? 0, now - this.opts.lookbackMs);
    this.lastTick = now;
    const claimed: ClaimedSlot[] = [];
    const installations = await Installation.findAll({ attributes: ["id"] });
    for (const { id: installationId } of installations) {
      const repos = await this.services.settings.enabledRepositories(installationId, "review-radar");
      for (const repo of repos) {
        if (!chatTargets(repo.settings).length) continue;
        for (const slot of dueSlots(from, now, repo.settings)) {
          if (await this.claim(installationId, repo.repositoryUuid, repo.repositoryFullName, slot)) {
            claimed.push({ installationId, repositoryUuid: repo.repositoryUuid, slot });
          }
        }
      }
    }
    if (claimed.length) this.services.queue.notify();
    if (Math.floor(now / 3_600_000) !== Math.floor(from / 3_600_000)) await this.slots.prune(now - KEEP_MS);
    return claimed;
  }

  private async claim(installationId: string, repositoryUuid: string, fullName: string | null, slot: Slot): Promise<boolean> {
    const { services } = this;
    return services.db.transaction(async (transaction) => {
      const won = await this.slots.claim(installationId, repositoryUuid, slot, this.instanceId, transaction);
      if (!won) return false;
      const reg = services.registry.get(DIGEST_JOB);
      await services.queue.enqueue(
        [
          {
            installationId,
            repositoryUuid,
            handler: DIGEST_JOB,
            integration: "review-radar",
            payload: { slotKey: slot.key, slotAt: slot.at, repositoryFullName: fullName },
            dedupeKey: `review-radar:digest:${repositoryUuid}:${slot.key}`,
            maxAttempts: reg?.options.maxAttempts ?? services.config.worker.maxAttempts,
          },
        ],
        transaction,
      );
      return true;
    });
  }
}
