import type { Logger } from "../config/logger";
import type { BitbucketApi } from "../bitbucket/host-api";
import type { InstallationView } from "../core/installations";
import type { IntegrationId, IntegrationSettings } from "../settings/registry";
import type { DeliverySource } from "../models/delivery";
import type { JobName, JobMap } from "./events";
import type { Services } from "../core/services";

export interface RepositoryRef {
  uuid: string;
  fullName: string | null;
}

export interface EnqueueOptions {
  /** Jobs with the same key in one installation are enqueued once (idempotent fan-out). */
  dedupeKey?: string;
  repositoryUuid?: string | null;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

/** What a handler gets for one job: the tenant, its repository, clients, logger and settings. */
export interface HandlerContext<P> {
  job: { id: string; handler: string; attempt: number; maxAttempts: number };
  delivery: { id: string; source: DeliverySource; eventKey: string; receivedAt: number } | null;
  installation: InstallationView;
  repository: RepositoryRef | null;
  payload: P;
  /** The installation's Bitbucket, in host-neutral terms (`services.bitbucketApiFor`). */
  bitbucket: BitbucketApi;
  log: Logger;
  /** This repository's settings document for an integration, with secrets decrypted and defaults applied. */
  settings<I extends IntegrationId>(integration: I): Promise<IntegrationSettings<I>>;
  /** Enqueues derived work; a job with a `repositoryUuid` lists this delivery in that repository's activity log. */
  enqueue<N extends JobName>(job: N, payload: JobMap[N], opts?: EnqueueOptions): Promise<void>;
  /**
   * Lists this job's delivery in a repository's activity log without enqueueing work for it (a
   * repository the event was routed to and then skipped, e.g. by its branch filter). Idempotent.
   */
  linkRepository(repositoryUuid: string): Promise<void>;
  services: Services;
}

/** How a job ended when it did not throw: done (with an optional summary) or ignored with a reason. */
export type HandlerOutcome = void | { ignored: string } | { done: Record<string, unknown> };
