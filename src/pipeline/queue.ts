import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import { Op, QueryTypes, type InferCreationAttributes, type Transaction } from "sequelize";
import { Job } from "../models";
import type { JobStatus } from "../models/job";
import type { Database } from "../db/database";
import { insertRows } from "../db/insert-rows";
import type { OutboundCall } from "../http/call-log";

export interface NewJob {
  installationId: string;
  deliveryId?: string | null;
  repositoryUuid?: string | null;
  handler: string;
  integration: string;
  payload?: unknown;
  dedupeKey?: string | null;
  maxAttempts: number;
  runAt?: number;
  replayOf?: string | null;
}

type JobRow = InferCreationAttributes<Job>;

/** The jobs table's columns, for the raw batched insert of enqueue (ingest writes a job per handler of every delivery). */
const JOB_COLUMNS = [
  ["id", (j: JobRow) => j.id],
  ["installation_id", (j) => j.installationId],
  ["delivery_id", (j) => j.deliveryId],
  ["repository_uuid", (j) => j.repositoryUuid],
  ["handler", (j) => j.handler],
  ["integration", (j) => j.integration],
  ["payload", (j) => j.payload],
  ["dedupe_key", (j) => j.dedupeKey],
  ["status", (j) => j.status],
  ["attempts", (j) => j.attempts ?? 0],
  ["max_attempts", (j) => j.maxAttempts],
  ["run_at", (j) => j.runAt],
  ["locked_by", (j) => j.lockedBy],
  ["locked_until", (j) => j.lockedUntil],
  ["last_error", (j) => j.lastError],
  ["result", (j) => j.result],
  ["replay_of", (j) => j.replayOf],
  ["created_at", (j) => j.createdAt],
  ["updated_at", (j) => j.updatedAt],
  ["finished_at", (j) => j.finishedAt],
] as const satisfies ReadonlyArray<readonly [string, (j: JobRow) => string | number | null]>;

/** The outbound_calls columns a settled job's calls are recorded in (id is the database's). */
const CALL_COLUMNS = [
  ["job_id", (r: { c: OutboundCall; job: Job; at: number }) => r.job.id],
  ["attempt", (r) => r.job.attempts],
  ["target", (r) => r.c.target],
  ["method", (r) => r.c.method],
  ["url", (r) => r.c.url.slice(0, 1024)],
  ["status", (r) => r.c.status ?? null],
  ["duration_ms", (r) => r.c.durationMs],
  ["error", (r) => r.c.error ?? null],
  ["created_at", (r) => r.at],
] as const satisfies ReadonlyArray<readonly [string, (r: { c: OutboundCall; job: Job; at: number }) => string | number | null]>;

/**
 * The claiming statement over `where` (conditions each starting with one `status = '…'`; `:now`,
 * `:limit`, `:workerId`, `:until` replaced). On SQLite, each condition picks its own oldest `limit`
 * jobs through the (status, run_at) index and the union is cut to `limit`: as one OR, SQLite read
 * every due job (and its row) and sorted them all for each claim, a cost that grew with the queue.
 * On PostgreSQL one OR'ed select with `FOR UPDATE SKIP LOCKED` (not allowed over a union).
 */
export function claimStatement(dialect: Database["dialect"], where: string[]): string {
  const pick =
    dialect === "postgres"
      ? `SELECT id FROM jobs WHERE ${where.map((w) => `(${w})`).join(" OR ")} ORDER BY run_at LIMIT :limit FOR UPDATE SKIP LOCKED`
      : `SELECT id FROM (${where
          .map((w) => `SELECT * FROM (SELECT id, run_at FROM jobs WHERE ${w} ORDER BY run_at LIMIT :limit)`)
          .join(" UNION ALL ")}) ORDER BY run_at LIMIT :limit`;
  return `UPDATE jobs SET status = 'running', locked_by = :workerId, locked_until = :until,
            attempts = attempts + 1, updated_at = :now
      WHERE id IN (${pick})
    RETURNING *`;
}

/**
 * The durable queue is the `jobs` table. Claiming is one statement: on PostgreSQL with
 * `FOR UPDATE SKIP LOCKED`, so that several instances never take the same job; on SQLite the single
 * writer makes it atomic. A claim is a lease: a job whose worker died is claimed again once its
 * lease runs out.
 */
export class JobQueue {
  readonly events = new EventEmitter();

  constructor(private readonly db: Database) {
    this.events.setMaxListeners(100);
  }

  /** Inserts jobs (inside the caller's transaction when given). Duplicate dedupe keys are skipped. */
  async enqueue(jobs: NewJob[], transaction?: Transaction): Promise<number> {
    const now = Date.now();
    const rows: JobRow[] = [];
    const taken = await this.dedupeKeysTaken(jobs, transaction);
    for (const j of jobs) {
      if (j.dedupeKey) {
        const key = `${j.installationId}\n${j.dedupeKey}`;
        if (taken.has(key)) continue;
        taken.add(key);
      }
      rows.push({
        id: randomUUID(),
        installationId: j.installationId,
        deliveryId: j.deliveryId ?? null,
        repositoryUuid: j.repositoryUuid ?? null,
        handler: j.handler,
        integration: j.integration,
        payload: j.payload === undefined ? null : JSON.stringify(j.payload),
        dedupeKey: j.dedupeKey ?? null,
        status: "queued",
        attempts: 0,
        maxAttempts: j.maxAttempts,
        runAt: j.runAt ?? now,
        lockedBy: null,
        lockedUntil: null,
        lastError: null,
        result: null,
        replayOf: j.replayOf ?? null,
        createdAt: now,
        updatedAt: now,
        finishedAt: null,
      });
    }
    if (rows.length) await insertRows(this.db, "jobs", JOB_COLUMNS, rows, transaction);
    return rows.length;
  }

  /** `installationId \n dedupeKey` of the given jobs' keys already in the table: one raw read (the unique index jobs_dedupe). */
  private async dedupeKeysTaken(jobs: NewJob[], transaction?: Transaction): Promise<Set<string>> {
    const keyed = jobs.filter((j) => j.dedupeKey);
    if (!keyed.length) return new Set();
    const bind: string[] = [];
    const marks = (values: string[]) => [...new Set(values)].map((v) => (bind.push(v), `$${bind.length}`)).join(", ");
    const installations = marks(keyed.map((j) => j.installationId));
    const keys = marks(keyed.map((j) => j.dedupeKey!));
    const rows = await this.db.sequelize.query<{ installation_id: string; dedupe_key: string }>(
      `SELECT installation_id, dedupe_key FROM jobs WHERE installation_id IN (${installations}) AND dedupe_key IN (${keys})`,
      { bind, type: QueryTypes.SELECT, transaction },
    );
    return new Set(rows.map((r) => `${r.installation_id}\n${r.dedupe_key}`));
  }

  /** Tells local workers there is work (call after the enqueuing transaction committed). */
  notify(): void {
    this.events.emit("enqueued");
  }

  async claim(workerId: string, limit: number, leaseMs: number, now = Date.now()): Promise<Job[]> {
    return this.claimWhere(
      workerId,
      ["status = 'queued' AND run_at <= :now", "status = 'retrying' AND run_at <= :now", "status = 'running' AND locked_until < :now"],
      {},
      limit,
      leaseMs,
      now,
    );
  }

  /**
   * The one claiming statement: marks up to `limit` jobs matching any of `where` (SQL conditions over
   * the jobs table, with `:now` and the given replacements) running under `workerId` for `leaseMs`,
   * oldest `run_at` first, skipping rows another instance holds (`FOR UPDATE SKIP LOCKED` on
   * PostgreSQL), and returns them (oldest `run_at` first). See claimStatement.
   */
  private async claimWhere(workerId: string, where: string[], replacements: Record<string, unknown>, limit: number, leaseMs: number, now: number): Promise<Job[]> {
    const rows = await this.db.sequelize.query(claimStatement(this.db.dialect, where), {
      replacements: { ...replacements, workerId, until: now + leaseMs, now, limit },
      type: QueryTypes.SELECT,
      model: Job,
      mapToModel: true,
    });
    // The claimed rows come back from the claiming statement itself (no second query per claim).
    return (rows as Job[]).sort((a, b) => Number(a.runAt) - Number(b.runAt));
  }

  /**
   * Makes the running jobs of dead workers claimable now instead of when their lease runs out: those
   * whose worker id starts with `prefix`, other than `self`. Only for a caller that knows those workers
   * are dead (the owner of a SQLite file, see sqlite-owner.ts). The next claim takes them up as it
   * takes up an expired lease (one more attempt). Returns how many were released.
   */
  async releaseClaimsOf(prefix: string, self: string, now = Date.now()): Promise<number> {
    const [n] = await Job.update(
      { lockedUntil: 0, updatedAt: now },
      { where: { status: "running", lockedBy: { [Op.startsWith]: prefix, [Op.ne]: self } } },
    );
    return n;
  }

  /**
   * Claims up to `limit` more ready jobs of the same handler and installation as `like` (for handlers
   * registered with `claimTogether`: jobs that share work, e.g. one PutEvents call). Same lease and
   * locking as `claim`; only queued/retrying jobs that are due.
   */
  async claimTogether(workerId: string, like: { handler: string; installationId: string }, limit: number, leaseMs: number, now = Date.now()): Promise<Job[]> {
    if (limit <= 0) return [];
    return this.claimWhere(
      workerId,
      [
        "status = 'queued' AND run_at <= :now AND handler = :handler AND installation_id = :installationId",
        "status = 'retrying' AND run_at <= :now AND handler = :handler AND installation_id = :installationId",
      ],
      { handler: like.handler, installationId: like.installationId },
      limit,
      leaseMs,
      now,
    );
  }

  async extendLease(workerId: string, ids: string[], leaseMs: number): Promise<void> {
    if (!ids.length) return;
    await Job.update(
      { lockedUntil: Date.now() + leaseMs },
      { where: { id: { [Op.in]: ids }, lockedBy: workerId, status: "running" } },
    );
  }

  /** Ends a job (done / ignored) if this worker still holds it; returns false if the lease was lost. */
  async finish(job: Job, workerId: string, status: "done" | "ignored", result: unknown, calls: OutboundCall[]): Promise<boolean> {
    return this.settle(job, workerId, { status, result: result === undefined ? null : JSON.stringify(result), lastError: null, finishedAt: Date.now() }, calls);
  }

  /** Schedules a retry, or marks the job dead, keeping the error. */
  async fail(job: Job, workerId: string, error: string, retryAt: number | null, calls: OutboundCall[]): Promise<boolean> {
    const dead = retryAt === null;
    return this.settle(
      job,
      workerId,
      {
        status: dead ? "dead" : "retrying",
        lastError: error.slice(0, 4000),
        runAt: retryAt ?? job.runAt,
        finishedAt: dead ? Date.now() : null,
      },
      calls,
    );
  }

  /**
   * Writes a job's end (or its retry) if this worker still holds it, with the job's outbound calls:
   * one raw `UPDATE … RETURNING id` (no model update: the worker settles every job), in a transaction
   * with the calls' insert only when there are calls to record.
   */
  private async settle(
    job: Job,
    workerId: string,
    fields: { status: JobStatus; result?: string | null; lastError: string | null; runAt?: number; finishedAt: number | null },
    calls: OutboundCall[],
  ): Promise<boolean> {
    const write = async (transaction?: Transaction) => {
      const now = Date.now();
      const rows = await this.db.sequelize.query(
        `UPDATE jobs SET status = $1, ${"result" in fields ? "result = $2" : "result = COALESCE($2, result)"}, last_error = $3, run_at = COALESCE($4, run_at), finished_at = $5,
                locked_by = NULL, locked_until = NULL, updated_at = $6
          WHERE id = $7 AND locked_by = $8 AND status = 'running'
        RETURNING id`,
        {
          bind: [fields.status, "result" in fields ? (fields.result ?? null) : null, fields.lastError, fields.runAt ?? null, fields.finishedAt, now, job.id, workerId],
          type: QueryTypes.SELECT,
          transaction,
        },
      );
      if (rows.length && calls.length) await insertRows(this.db, "outbound_calls", CALL_COLUMNS, calls.map((c) => ({ c, job, at: now })), transaction);
      return rows.length > 0;
    };
    return calls.length ? this.db.transaction(write) : write();
  }

  /** A dead (or ignored) job runs again as a new job; the old one stays as history. */
  async replay(jobId: string, installationId: string): Promise<Job | null> {
    const old = await Job.findOne({ where: { id: jobId, installationId } });
    if (!old || !["dead", "ignored", "done"].includes(old.status)) return null;
    const id = randomUUID();
    const now = Date.now();
    const created = await Job.create({
      id,
      installationId: old.installationId,
      deliveryId: old.deliveryId,
      repositoryUuid: old.repositoryUuid,
      handler: old.handler,
      integration: old.integration,
      payload: old.payload,
      dedupeKey: null,
      status: "queued",
      maxAttempts: old.maxAttempts,
      runAt: now,
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      result: null,
      replayOf: old.id,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    });
    this.notify();
    return created;
  }

  async depth(): Promise<Record<string, number>> {
    const rows = (await this.db.sequelize.query(
      `SELECT status, COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running', 'retrying', 'dead') GROUP BY status`,
      { type: QueryTypes.SELECT },
    )) as Array<{ status: string; n: number | string }>;
    const out: Record<string, number> = { queued: 0, running: 0, retrying: 0, dead: 0 };
    for (const r of rows) out[r.status] = Number(r.n);
    return out;
  }

  /** The earliest time a waiting job becomes due, for the worker's timer (epoch ms), or null. */
  async nextDueAt(): Promise<number | null> {
    const [row] = await this.db.sequelize.query<{ at: number | string | null }>(
      `SELECT MIN(run_at) AS at FROM jobs WHERE status IN ('queued', 'retrying')`,
      { type: QueryTypes.SELECT },
    );
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }
}
