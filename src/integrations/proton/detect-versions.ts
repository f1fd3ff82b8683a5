import { randomUUID } from "node:crypto";
import { UniqueConstraintError } from "sequelize";
import type { S3Client } from "@aws-sdk/client-s3";
import { ProtonTemplateVersion } from "./models";
import { contentHash, packBundle } from "./bundle";
import { encryptionParams, objectKey, putBuffer } from "./s3";
import type { TemplateBundle } from "./template-folder";
import type { ProtonSettings } from "./settings";

export interface Detected {
  row: ProtonTemplateVersion;
  isNew: boolean;
}

export interface DetectArgs {
  s3: S3Client;
  settings: ProtonSettings;
  project: string;
  installationId: string;
  repositoryUuid: string;
  commit: string;
  syncId: string;
}

/**
 * For each valid bundle: hash its content; if it equals the last version recorded for its
 * template major, it is unchanged; otherwise pack it, upload it to
 * `<prefix>/<project>/bundles/<template>/v<N>/<hash>.tar.gz` and record a new version (the next minor).
 */
export async function detectVersions(bundles: TemplateBundle[], a: DetectArgs): Promise<Detected[]> {
  const out: Detected[] = [];
  for (const b of bundles) {
    const hash = contentHash(b.files);
    const where = { installationId: a.installationId, repositoryUuid: a.repositoryUuid, template: b.template, major: b.major };
    const last = await ProtonTemplateVersion.findOne({ where, order: [["minor", "DESC"]] });
    if (last && last.contentHash === hash) {
      out.push({ row: last, isNew: false });
      continue;
    }
    const key = objectKey(a.settings.prefix, a.project, `bundles/${b.template}/v${b.major}/${hash}.tar.gz`);
    await putBuffer(a.s3, { bucket: a.settings.bucket, key }, await packBundle(b.files), encryptionParams(a.settings));
    const now = Date.now();
    try {
      const row = await ProtonTemplateVersion.create({
        id: randomUUID(),
        ...where,
        kind: b.kind,
        minor: last ? last.minor + 1 : 0,
        contentHash: hash,
        bundleBucket: a.settings.bucket,
        bundleKey: key,
        commit: a.commit,
        syncId: a.syncId,
        registration: JSON.stringify({
          compatibleEnvironments: b.compatibleEnvironments,
          supportedComponentSources: b.supportedComponentSources,
          customerManagedPipeline: b.customerManagedPipeline,
        }),
        protonState: a.settings.registerWithProton ? "pending" : "skipped",
        protonVersion: null,
        protonReason: a.settings.registerWithProton ? null : "Proton registration is off",
        eventState: "pending",
        eventReason: null,
        detectedAt: now,
        updatedAt: now,
      });
      out.push({ row, isNew: true });
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
      // Another sync of the same repository recorded this minor meanwhile: take what is there now.
      const again = await ProtonTemplateVersion.findOne({ where, order: [["minor", "DESC"]] });
      if (!again) throw err;
      out.push({ row: again, isNew: false });
    }
  }
  return out;
}
