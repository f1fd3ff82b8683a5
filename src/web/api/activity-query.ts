import { Op, QueryTypes } from "sequelize";
import type { Services } from "../../core/services";
import { Delivery, Job, OutboundCallRecord } from "../../models";
import type { JobStatus } from "../../models/job";
import { replaysOf } from "./replay-log";

export const OUTCOMES = ["queued", "running", "retrying", "done", "ignored", "dead"] as const satisfies readonly JobStatus[];
export type Outcome = (typeof OUTCOMES)[number];

export interface ActivityFilter {
  installationId: string;
  repositoryUuid: string;
  integration?: string;
  outcome?: Outcome;
  page: number;
  pageLen: number;
}

export interface ActivityCall {
  attempt: number;
  target: string;
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  error: string | null;
  at: number;
}

export interface ActivityJob {
  id: string;
  handler: string;
  integration: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  createdAt: number;
  finishedAt: number | null;
  /** When a waiting (queued / retrying) job runs next. */
  nextRunAt: number | null;
  durationMs: number | null;
  /** Why it was ignored. */
  reason: string | null;
  /** The last failure (retrying / dead). */
  lastError: string | null;
  /** The summary a done job returned. */
  result: unknown;
  replayOf: string | null;
  replayedBy: string | null;
  /** Ids of the jobs that replay this one. */
  replays: string[];
  calls: ActivityCall[];
}

/** One line of the log: a delivery and the jobs it caused, or a job that no delivery caused. */
export interface ActivityEntry {
  kind: "delivery" | "job";
  id: string;
  source: string;
  eventKey: string;
  at: number;
  jobs: ActivityJob[];
}

export interface ActivityPage {
  page: number;
  pageLen: number;
  total: number;
  items: ActivityEntry[];
}

function jobConditions(f: ActivityFilter, alias: string): string {
  const parts: string[] = [];
  if (f.integration) parts.push(`${alias}.integration = :integration`);
  if (f.outcome) parts.push(`${alias}.status = :outcome`);
  return parts.join(" AND ");
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Deliveries that concern a repository: its payload names it, a job of it carries it (a Buildkite
 * build routed there, any job enqueued for a repository), or a handler linked it (routed and then
 * skipped). Parameters `:installationId`, `:repositoryUuid`.
 */
const RELATED_DELIVERIES = `
    SELECT d0.id AS id FROM deliveries d0 WHERE d0.installation_id = :installationId AND d0.repository_uuid = :repositoryUuid
    UNION
    SELECT j0.delivery_id FROM jobs j0
     WHERE j0.installation_id = :installationId AND j0.repository_uuid = :repositoryUuid AND j0.delivery_id IS NOT NULL
    UNION
    SELECT l0.delivery_id FROM delivery_repositories l0 WHERE l0.installation_id = :installationId AND l0.repository_uuid = :repositoryUuid`;

/** A job of a listed delivery belongs in this repository's log: it carries this repository, or none (it serves the delivery as a whole). */
const JOB_IN_REPOSITORY = (alias: string) => `(${alias}.repository_uuid = :repositoryUuid OR ${alias}.repository_uuid IS NULL)`;

/**
 * The activity log of one repository, newest first: every delivery that concerns it, whatever door
 * it came in by (with its jobs for this repository and those that serve the whole delivery, such as
 * a Buildkite route), and jobs that no delivery caused (schedules), filtered by integration and
 * outcome, one page at a time.
 */
export async function activityPage(services: Services, f: ActivityFilter): Promise<ActivityPage> {
  const cond = jobConditions(f, "j");
  const deliveryFilter = cond ? `AND EXISTS (SELECT 1 FROM jobs j WHERE j.delivery_id = d.id AND ${JOB_IN_REPOSITORY("j")} AND ${cond})` : "";
  const orphanFilter = cond ? `AND ${cond}` : "";
  const union = `
    SELECT 'delivery' AS kind, d.id AS id, d.received_at AS at FROM deliveries d
     WHERE d.installation_id = :installationId AND d.id IN (${RELATED_DELIVERIES}) ${deliveryFilter}
    UNION ALL
    SELECT 'job' AS kind, j.id AS id, j.created_at AS at FROM jobs j
     WHERE j.installation_id = :installationId AND j.repository_uuid = :repositoryUuid AND j.delivery_id IS NULL ${orphanFilter}`;
  const replacements = {
    installationId: f.installationId,
    repositoryUuid: f.repositoryUuid,
    integration: f.integration ?? null,
    outcome: f.outcome ?? null,
    limit: f.pageLen,
    offset: (f.page - 1) * f.pageLen,
  };
  const [countRow] = (await services.db.sequelize.query(`SELECT COUNT(*) AS n FROM (${union}) t`, {
    replacements,
    type: QueryTypes.SELECT,
  })) as Array<{ n: number | string }>;
  const rows = (await services.db.sequelize.query(`SELECT kind, id, at FROM (${union}) t ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset`, {
    replacements,
    type: QueryTypes.SELECT,
  })) as Array<{ kind: "delivery" | "job"; id: string; at: number | string }>;

  const deliveryIds = rows.filter((r) => r.kind === "delivery").map((r) => r.id);
  const orphanIds = rows.filter((r) => r.kind === "job").map((r) => r.id);
  const deliveries = deliveryIds.length
    ? await Delivery.findAll({ where: { id: { [Op.in]: deliveryIds } }, attributes: ["id", "source", "eventKey", "receivedAt"] })
    : [];
  const jobWhere: Record<string, unknown> = { installationId: f.installationId };
  if (f.integration) jobWhere.integration = f.integration;
  const jobs = [
    ...(deliveryIds.length
      ? await Job.findAll({
          where: { ...jobWhere, deliveryId: { [Op.in]: deliveryIds }, [Op.or]: [{ repositoryUuid: f.repositoryUuid }, { repositoryUuid: null }] },
        })
      : []),
    ...(orphanIds.length ? await Job.findAll({ where: { installationId: f.installationId, id: { [Op.in]: orphanIds } } }) : []),
  ];
  const jobIds = jobs.map((j) => j.id);
  const calls = jobIds.length
    ? await OutboundCallRecord.findAll({ where: { jobId: { [Op.in]: jobIds } }, order: [["id", "ASC"]] })
    : [];
  const replays = await replaysOf(services, f.installationId, jobIds.filter((id) => jobs.find((j) => j.id === id)?.replayOf));

  const callsByJob = new Map<string, ActivityCall[]>();
  for (const c of calls) {
    const list = callsByJob.get(c.jobId) ?? [];
    list.push({
      attempt: c.attempt,
      target: c.target,
      method: c.method,
      url: c.url,
      status: c.status,
      durationMs: c.durationMs,
      error: c.error,
      at: Number(c.createdAt),
    });
    callsByJob.set(c.jobId, list);
  }
  const replayedBy = new Map<string, string[]>();
  for (const j of jobs) if (j.replayOf) replayedBy.set(j.replayOf, [...(replayedBy.get(j.replayOf) ?? []), j.id]);

  const view = (j: Job): ActivityJob => {
    const result = ownPartOf(parseJson(j.result), f.repositoryUuid);
    const finishedAt = j.finishedAt === null ? null : Number(j.finishedAt);
    return {
      id: j.id,
      handler: j.handler,
      integration: j.integration,
      status: j.status,
      attempts: j.attempts,
      maxAttempts: j.maxAttempts,
      createdAt: Number(j.createdAt),
      finishedAt,
      nextRunAt: j.status === "queued" || j.status === "retrying" ? Number(j.runAt) : null,
      durationMs: finishedAt === null ? null : finishedAt - Number(j.createdAt),
      reason: j.status === "ignored" && result && typeof result === "object" && "reason" in result ? String((result as { reason: unknown }).reason) : null,
      lastError: j.lastError,
      result: j.status === "done" ? result : null,
      replayOf: j.replayOf,
      replayedBy: replays.get(j.id)?.actor ?? null,
      replays: replayedBy.get(j.id) ?? [],
      calls: callsByJob.get(j.id) ?? [],
    };
  };
  const byCreated = (a: Job, b: Job) => Number(a.createdAt) - Number(b.createdAt) || a.id.localeCompare(b.id);

  const items: ActivityEntry[] = rows.map((r) => {
    if (r.kind === "delivery") {
      const d = deliveries.find((x) => x.id === r.id);
      return {
        kind: "delivery",
        id: r.id,
        source: d?.source ?? "unknown",
        eventKey: d?.eventKey ?? "unknown",
        at: Number(r.at),
        jobs: jobs.filter((j) => j.deliveryId === r.id).sort(byCreated).map(view),
      };
    }
    const j = jobs.find((x) => x.id === r.id)!;
    return { kind: "job", id: r.id, source: "schedule", eventKey: j.handler, at: Number(r.at), jobs: [view(j)] };
  });
  return { page: f.page, pageLen: f.pageLen, total: Number(countRow?.n ?? 0), items };
}

/**
 * Whether a job shows in (and may be replayed from) a repository's log: it carries the repository,
 * or it carries none and its delivery concerns the repository (see RELATED_DELIVERIES).
 */
/**
 * A job that concerns several repositories (it names none itself: Buildkite's route) keeps each
 * one's part of its result under `byRepository` (keyed by repository id); a repository's activity log
 * shows only its own part, so it never learns the other repositories' names or settings.
 */
export function ownPartOf(result: unknown, repositoryUuid: string): unknown {
  if (!result || typeof result !== "object" || !("byRepository" in result)) return result;
  const parts = (result as { byRepository: unknown }).byRepository;
  if (!parts || typeof parts !== "object") return result;
  const key = Object.keys(parts).find((k) => k.toLowerCase() === repositoryUuid.toLowerCase());
  return { ...result, byRepository: key ? { [key]: (parts as Record<string, unknown>)[key] } : {} };
}

export async function jobInRepository(services: Services, job: Job, repositoryUuid: string): Promise<boolean> {
  if (job.repositoryUuid) return job.repositoryUuid.toLowerCase() === repositoryUuid.toLowerCase();
  if (!job.deliveryId) return false;
  const rows = (await services.db.sequelize.query(`SELECT 1 AS hit FROM (${RELATED_DELIVERIES}) r WHERE r.id = :deliveryId`, {
    replacements: { installationId: job.installationId, repositoryUuid, deliveryId: job.deliveryId },
    type: QueryTypes.SELECT,
  })) as unknown[];
  return rows.length > 0;
}
