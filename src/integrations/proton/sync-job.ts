import { randomUUID } from "node:crypto";
import { Op } from "sequelize";
import { ProtonClient } from "@aws-sdk/client-proton";
import type { HandlerContext, HandlerOutcome } from "../../pipeline/context";
import { awsClientConfig, classifyAwsError } from "../../aws/clients";
import { externalIdFor } from "../../aws/external-id";
import { HttpError, PermanentError, isRetryable } from "../../http/errors";
import { ProtonSync, ProtonTemplateVersion, type SyncOutcome } from "./models";
import { archiveAndScan } from "./archive-pipeline";
import { ArchiveTooLargeError, archiveLimitsFrom } from "./archive-limits";
import { encryptionParams, keyProjectOf, objectKey, s3ClientFor, uploadStream } from "./s3";
import { readTemplateFolder, type TemplateBundle } from "./template-folder";
import { detectVersions } from "./detect-versions";
import { registerVersions, RetrySync } from "./register-versions";
import { ProtonTarget } from "./targets/proton-target";
import { TemplateVersionEventTarget } from "./targets/event-target";
import type { RegistrationTarget } from "./targets/target";
import type { Rejection } from "./entry-rules";
import type { ProtonSyncJob } from "./jobs";

const MAX_TEMPLATE_BYTES = 200 * 1024 * 1024;

export interface VersionSummary {
  id: string;
  template: string;
  kind: string;
  major: number;
  minor: number;
  contentHash: string;
  bundleKey: string;
  status: "new" | "unchanged";
  proton: { state: string; version: string | null; reason: string | null };
  event: { state: string; reason: string | null };
}

function summarize(row: ProtonTemplateVersion, isNew: boolean): VersionSummary {
  return {
    id: row.id,
    template: row.template,
    kind: row.kind,
    major: row.major,
    minor: row.minor,
    contentHash: row.contentHash,
    bundleKey: row.bundleKey,
    status: isNew ? "new" : "unchanged",
    proton: { state: row.protonState, version: row.protonVersion, reason: row.protonReason },
    event: { state: row.eventState, reason: row.eventReason },
  };
}

/**
 * One commit of one branch: archive download → streamed multipart upload to
 * `<prefix>/<project>/<commit>.tar.gz` (`<project>`: the setting, else `keyProjectOf`) while the tar is scanned → bundles of the template version
 * folders (hashed, uploaded) → registration targets (Proton, the EventBridge event). The history row
 * is the job's: a retry continues it, and skips the archive once it is stored.
 */
export async function runSync(ctx: HandlerContext<ProtonSyncJob>): Promise<HandlerOutcome> {
  const { payload, installation, services } = ctx;
  if (!ctx.repository) throw new PermanentError("sync job without a repository");
  const repositoryUuid = ctx.repository.uuid;
  const repositoryFullName = ctx.repository.fullName ?? payload.repository.fullName;
  const settings = await ctx.settings("proton");
  if (!settings.enabled) return { ignored: "proton sync is off for this repository" };
  const started = Date.now();
  let sync = await ProtonSync.findOne({ where: { jobId: ctx.job.id } });
  if (!sync) {
    sync = await ProtonSync.create({
      id: randomUUID(),
      installationId: installation.id,
      repositoryUuid,
      jobId: ctx.job.id,
      commit: payload.commit,
      branch: payload.branch,
      s3Bucket: settings.bucket,
      s3Key: null,
      sizeBytes: null,
      archiveSha256: null,
      versions: null,
      rejected: null,
      outcome: "running",
      reason: null,
      archivedAt: null,
      startedAt: started,
      finishedAt: null,
      durationMs: null,
    });
  } else {
    await sync.update({ outcome: "running", reason: null });
  }
  const finish = async (outcome: SyncOutcome, reason: string | null, extra: Partial<ProtonSync> = {}) => {
    const now = Date.now();
    await sync!.update({ ...extra, outcome, reason: reason?.slice(0, 2000) ?? null, finishedAt: now, durationMs: now - sync!.startedAt });
  };

  const willRetry = (err: unknown) => isRetryable(err) && ctx.job.attempt < ctx.job.maxAttempts;

  const externalId = await externalIdFor(services.installations, installation.id);
  const s3 = s3ClientFor(settings, externalId);
  const project = settings.project || keyProjectOf(installation, payload.repository.fullName);
  const awsContext = { region: settings.region, bucket: settings.bucket, roleArn: settings.roleArn, kmsKeyId: settings.kmsKeyId };
  let detected: Array<{ row: ProtonTemplateVersion; isNew: boolean }>;
  let rejected: Rejection[];
  try {
    if (!sync.archivedAt) {
      const key = objectKey(settings.prefix, project, `${payload.commit}.tar.gz`);
      const download = await ctx.bitbucket.archive({ id: repositoryUuid, fullName: payload.repository.fullName }, payload.commit);
      const archive = await archiveAndScan(download.body, (body) => uploadStream(s3, { bucket: settings.bucket, key }, body, encryptionParams(settings)), {
        templatesPath: settings.templatesPath,
        maxEntryBytes: settings.maxEntryMiB * 1024 * 1024,
        maxTemplateBytes: MAX_TEMPLATE_BYTES,
        archive: archiveLimitsFrom(services.config),
      });
      rejected = [...archive.scan.rejected];
      const bundles: TemplateBundle[] = [];
      for (const folder of archive.scan.folders) {
        const read = readTemplateFolder(folder);
        if (read.ok) bundles.push(read.bundle);
        else rejected.push({ path: `${folder.template}/v${folder.major}/`, reason: read.reason });
      }
      detected = await detectVersions(bundles, {
        s3,
        settings,
        project,
        installationId: installation.id,
        repositoryUuid,
        commit: payload.commit,
        syncId: sync.id,
      });
      await sync.update({
        s3Bucket: settings.bucket,
        s3Key: key,
        sizeBytes: archive.sizeBytes,
        archiveSha256: archive.sha256,
        rejected: JSON.stringify(rejected),
        versions: JSON.stringify(detected.map((d) => summarize(d.row, d.isNew))),
        archivedAt: Date.now(),
      });
      ctx.log.info({ key, bytes: archive.sizeBytes, versions: detected.length, rejected: rejected.length }, "archive stored");
    } else {
      // A retry after the archive was stored: only the registration is left.
      const previous = JSON.parse(sync.versions ?? "[]") as VersionSummary[];
      const rows = await ProtonTemplateVersion.findAll({ where: { id: { [Op.in]: previous.map((p) => p.id) } } });
      detected = rows.map((row) => ({ row, isNew: previous.find((p) => p.id === row.id)?.status === "new" }));
      rejected = JSON.parse(sync.rejected ?? "[]") as Rejection[];
    }
  } catch (err) {
    if (err instanceof HttpError && err.target === "bitbucket" && err.status === 404) {
      await finish("failed", `commit archive not found on Bitbucket (404): ${payload.commit}`);
      throw new PermanentError(`commit archive not found on Bitbucket (404): ${payload.commit}`);
    }
    if (err instanceof ArchiveTooLargeError) {
      ctx.log.warn({ limit: err.limit, commit: payload.commit }, err.message);
      await finish("too_large", err.message);
      throw err;
    }
    const e = err instanceof HttpError ? err : classifyAwsError(err, { ...awsContext, service: "s3", key: objectKey(settings.prefix, project, "*") });
    await finish(willRetry(e) ? "retrying" : "failed", e.message);
    throw e;
  }

  const targets: RegistrationTarget[] = [];
  if (settings.registerWithProton) {
    const proton = new ProtonClient(awsClientConfig({ region: settings.region, roleArn: settings.roleArn || null, externalId, sessionName: "bitbucket-relay-proton" }));
    targets.push(new ProtonTarget(proton, { createTemplates: settings.createTemplates }));
  }
  targets.push(new TemplateVersionEventTarget(services, installation));
  const lastAttempt = ctx.job.attempt >= ctx.job.maxAttempts;
  try {
    await registerVersions(detected, targets, { repositoryFullName, branch: payload.branch, region: settings.region, lastAttempt });
  } catch (err) {
    await sync.update({ versions: JSON.stringify(detected.map((d) => summarize(d.row, d.isNew))) });
    const e = err instanceof RetrySync ? err : classifyAwsError(err, { ...awsContext, service: "proton" });
    await finish(willRetry(e) ? "retrying" : "failed", e.message);
    throw e;
  }

  const summaries = detected.map((d) => summarize(d.row, d.isNew));
  const unavailable = summaries.find((s) => s.proton.state === "unavailable");
  const failures = summaries.filter((s) => s.proton.state === "failed" || s.event.state === "failed");
  const outcome: SyncOutcome = unavailable ? "archived_proton_unavailable" : summaries.some((s) => s.status === "new") ? "synced" : "unchanged";
  const reasons = [
    ...(unavailable ? [`archived to S3, Proton unavailable: ${unavailable.proton.reason}`] : []),
    ...failures.map((f) => `${f.template} v${f.major}: ${f.proton.state === "failed" ? f.proton.reason : f.event.reason}`),
  ];
  await finish(outcome, reasons.length ? reasons.join("; ") : null, { versions: JSON.stringify(summaries) });
  return {
    done: {
      outcome,
      commit: payload.commit,
      branch: payload.branch,
      s3Key: sync.s3Key,
      sizeBytes: sync.sizeBytes,
      versions: summaries.map((s) => `${s.template} ${s.major}.${s.minor} ${s.status} (proton ${s.proton.version ?? s.proton.state}, event ${s.event.state})`),
      rejected: rejected.length,
      ...(reasons.length ? { reason: reasons.join("; ").slice(0, 1000) } : {}),
    },
  };
}
