import { randomUUID } from "node:crypto";
import type { Services } from "../../core/services";
import { Installation } from "../../models";
import { chatTargets, type ChatKind } from "./chat/targets";
import { dueSlots, type Slot } from "./schedule";
import { ReminderSlots } from "./slots";
import { CHANNEL_DIGEST_JOB, DIGEST_JOB, channelId } from "./jobs";
import type { NewJob } from "../../pipeline/queue";

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
 * enqueues the digest jobs in the same transaction. Every instance runs one; each slot sends once.
 * Repositories sending to the same chat channel in a slot get one message between them.
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

  /**
   * Claims the slots due in (last check, now] (at most `lookbackMs` back) and enqueues their digests.
   * The repositories due in the same slot are claimed together (one transaction), so that the
   * repositories sending to the same chat channel get one message listing all of them.
   */
  async tick(now = this.now()): Promise<ClaimedSlot[]> {
    const from = Math.max(this.lastTick ?? 0, now - this.opts.lookbackMs);
    this.lastTick = now;
    const claimed: ClaimedSlot[] = [];
    const installations = await Installation.findAll({ attributes: ["id"] });
    for (const { id: installationId } of installations) {
      const repos = await this.services.settings.enabledRepositories(installationId, "review-radar");
      const bySlot = new Map<string, { slot: Slot; repos: DueRepository[] }>();
      for (const repo of repos) {
        const targets = chatTargets(repo.settings);
        if (!targets.length) continue;
        for (const slot of dueSlots(from, now, repo.settings)) {
          const group = bySlot.get(slot.key) ?? { slot, repos: [] };
          group.repos.push({ uuid: repo.repositoryUuid, fullName: repo.repositoryFullName, targets });
          bySlot.set(slot.key, group);
        }
      }
      for (const { slot, repos: due } of bySlot.values()) {
        for (const uuid of await this.claim(installationId, slot, due)) claimed.push({ installationId, repositoryUuid: uuid, slot });
      }
    }
    if (claimed.length) this.services.queue.notify();
    if (Math.floor(now / 3_600_000) !== Math.floor(from / 3_600_000)) await this.slots.prune(now - KEEP_MS);
    return claimed;
  }

  /**
   * One transaction per slot: claims each repository's slot (in UUID order, so that concurrent
   * instances do not deadlock and the first one wins them all), then enqueues one channel digest per
   * chat channel (kind + webhook URL) that several won repositories share, and one digest per
   * repository for its other targets. Returns the UUIDs won.
   */
  private async claim(installationId: string, slot: Slot, due: DueRepository[]): Promise<string[]> {
    const { services } = this;
    const sorted = [...due].sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
    return services.db.transaction(async (transaction) => {
      const won: DueRepository[] = [];
      for (const repo of sorted) {
        if (await this.slots.claim(installationId, repo.uuid, slot, this.instanceId, transaction)) won.push(repo);
      }
      const channels = new Map<string, { kind: ChatKind; url: string; repos: DueRepository[] }>();
      for (const repo of won) {
        for (const t of repo.targets) {
          const key = `${t.kind} ${t.url}`;
          const c = channels.get(key) ?? { kind: t.kind, url: t.url, repos: [] };
          c.repos.push(repo);
          channels.set(key, c);
        }
      }
      const shared = [...channels.values()].filter((c) => c.repos.length > 1);
      const jobs: NewJob[] = [];
      for (const repo of won) {
        const sharedKinds = repo.targets.filter((t) => shared.some((c) => c.kind === t.kind && c.url === t.url)).map((t) => t.kind);
        if (sharedKinds.length === repo.targets.length) continue;
        jobs.push({
          installationId,
          repositoryUuid: repo.uuid,
          handler: DIGEST_JOB,
          integration: "review-radar",
          payload: { slotKey: slot.key, slotAt: slot.at, repositoryFullName: repo.fullName, ...(sharedKinds.length ? { sharedKinds } : {}) },
          dedupeKey: `review-radar:digest:${repo.uuid}:${slot.key}`,
          maxAttempts: this.maxAttempts(DIGEST_JOB),
        });
      }
      for (const c of shared) {
        const channel = channelId(c.url);
        const members = c.repos.map((r) => r.uuid).join(",");
        jobs.push({
          installationId,
          handler: CHANNEL_DIGEST_JOB,
          integration: "review-radar",
          payload: { slotKey: slot.key, slotAt: slot.at, kind: c.kind, channel, repositories: c.repos.map((r) => ({ uuid: r.uuid, fullName: r.fullName })) },
          dedupeKey: `review-radar:channel:${slot.key}:${channel}:${channelId(members)}`,
          maxAttempts: this.maxAttempts(CHANNEL_DIGEST_JOB),
        });
      }
      if (jobs.length) await services.queue.enqueue(jobs, transaction);
      return won.map((r) => r.uuid);
    });
  }

  private maxAttempts(handler: string): number {
    return this.services.registry.get(handler)?.options.maxAttempts ?? this.services.config.worker.maxAttempts;
  }
}

interface DueRepository {
  uuid: string;
  fullName: string | null;
  targets: Array<{ kind: ChatKind; url: string }>;
}
