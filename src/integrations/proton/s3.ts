import type { Readable } from "node:stream";
import { PutObjectCommand, S3Client, type ServerSideEncryption } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { awsClientConfig } from "../../aws/clients";
import { awsRuntimeConfig } from "../../config/config";
import type { ProtonSettings } from "./settings";

export interface S3Location {
  bucket: string;
  key: string;
}

/** Part size and parallel parts of the streamed upload: memory stays near partSize × queueSize. */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;
export const UPLOAD_QUEUE = 2;

/**
 * The customer's S3 client: their role (STS AssumeRole with the installation's ExternalId), the
 * endpoint from AWS_ENDPOINT_URL_S3 when set. Path-style addressing for S3-compatible endpoints with
 * RELAY_S3_FORCE_PATH_STYLE=true; checksum behaviour from AWS_REQUEST_CHECKSUM_CALCULATION (SDK).
 */
export function s3ClientFor(settings: Pick<ProtonSettings, "region" | "roleArn">, externalId: string, o: { sessionName?: string; quickMs?: number } = {}): S3Client {
  return new S3Client({
    ...awsClientConfig({ region: settings.region, roleArn: settings.roleArn || null, externalId, sessionName: o.sessionName ?? "bitbucket-relay-proton", quickMs: o.quickMs }),
    forcePathStyle: awsRuntimeConfig().s3ForcePathStyle,
  });
}

export function encryptionParams(settings: Pick<ProtonSettings, "kmsKeyId">): { ServerSideEncryption: ServerSideEncryption; SSEKMSKeyId?: string } {
  return settings.kmsKeyId ? { ServerSideEncryption: "aws:kms", SSEKMSKeyId: settings.kmsKeyId } : { ServerSideEncryption: "AES256" };
}

/**
 * The default `<project>` part of a repository's S3 keys (when the `project` setting is empty): the
 * repository's name within its installation. An installation of one workspace (Cloud) names it by
 * its slug, as it always did (`acme/widgets` → `widgets`); an installation of a whole host without
 * workspaces (a Data Center instance, where slugs repeat across projects) by project key and slug
 * (`PROJ/widgets` → `PROJ/widgets`, two key segments; personal projects `~USER/slug`).
 */
export function keyProjectOf(installation: { workspaceUuid: string | null }, fullName: string): string {
  const [owner, slug] = fullName.split("/") as [string, string | undefined];
  if (installation.workspaceUuid) return slug ?? owner;
  return slug ? `${owner}/${slug}` : owner;
}

/** `<prefix>/<project>/<rest>` without empty segments. */
export function objectKey(prefix: string, project: string, rest: string): string {
  return [prefix, project, rest].filter(Boolean).join("/");
}

/** A streamed multipart upload (a failed upload is aborted: no parts or partial object left behind). */
export async function uploadStream(client: S3Client, loc: S3Location, body: Readable, sse: ReturnType<typeof encryptionParams>): Promise<void> {
  const upload = new Upload({
    client,
    queueSize: UPLOAD_QUEUE,
    partSize: UPLOAD_PART_BYTES,
    leavePartsOnError: false,
    params: { Bucket: loc.bucket, Key: loc.key, Body: body, ContentType: "application/gzip", ...sse },
  });
  await upload.done();
}

export async function putBuffer(client: S3Client, loc: S3Location, body: Buffer, sse: ReturnType<typeof encryptionParams>): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: loc.bucket, Key: loc.key, Body: body, ContentType: "application/gzip", ...sse }));
}
