import type { BuildStatusReport } from "../../bitbucket/host-api";

/**
 * One Buildkite build event, normalized at the door from either channel (EventBridge API
 * destination or Buildkite webhook). This is what the pipeline stores as the delivery payload.
 */
export interface BuildkiteBuild {
  channel: "eventbridge" | "webhook";
  /** The sender's event id (EventBridge envelope `id`; for webhooks the SHA-256 of the raw body). */
  eventId: string;
  /** When the event happened, epoch ms: EventBridge envelope `time`; webhook signature timestamp, else receipt time. */
  occurredAt: number;
  organization: string | null;
  pipeline: { slug: string; name: string | null; repo: string | null };
  number: number;
  commit: string;
  branch: string | null;
  /** Buildkite build state, lower case; EventBridge's `started` is normalized to `running`, blocked builds to `blocked`. */
  state: string;
  /** For blocked builds: the state of the steps before the block (`passed`, `failed`, `running`) when known. */
  blockedState: string | null;
  /** How the build was created: webhook, api, ui, trigger_job, schedule. */
  source: string | null;
  webUrl: string | null;
  /**
   * The build's `started_at` and `finished_at`, epoch ms; null when Buildkite gives none (not started,
   * still running) or a form it does not document. Absent in payloads stored before they were read.
   */
  startedAt?: number | null;
  finishedAt?: number | null;
}

/** The derived job: report one build to one repository, with the ordering facts for the no-regression rule. */
export interface BuildkiteReportJob {
  eventId: string;
  repository: { uuid: string; fullName: string | null };
  commit: string;
  buildNumber: number;
  buildState: string;
  /** Position of the state in a build's lifecycle (see mapping.ts), the tie-breaker for events of the same time. */
  rank: number;
  occurredAt: number;
  status: BuildStatusReport;
}

declare module "../../pipeline/events" {
  interface EventMap {
    "buildkite:build": BuildkiteBuild;
  }
  interface JobMap {
    "buildkite.report": BuildkiteReportJob;
  }
}

declare module "../../models/delivery" {
  interface DeliverySources {
    /** Buildkite webhooks (`/inbound/buildkite/webhook/:installationId`). */
    buildkite: true;
    /** Buildkite partner events through an EventBridge API destination (`/inbound/buildkite/eventbridge/:installationId`). */
    eventbridge: true;
  }
}
