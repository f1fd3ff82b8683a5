import type http from "node:http";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { AwsFakeError, AwsJsonServer, AwsServiceFake, type InjectRule, type RecordedAwsCall } from "./json-server";

export type ProtonKind = "environment" | "service";

export interface FakeTemplateVersion {
  major: string;
  minor: string;
  status: "DRAFT" | "PUBLISHED";
  source: { bucket: string; key: string };
  description?: string;
  compatibleEnvironmentTemplates?: Array<{ templateName: string; majorVersion: string }>;
  createdAt: number;
}

interface FakeTemplate {
  kind: ProtonKind;
  name: string;
  arn: string;
  description?: string;
  displayName?: string;
  pipelineProvisioning?: string;
  createdAt: number;
  versions: FakeTemplateVersion[];
}

const NAME = /^[0-9A-Za-z]+[0-9A-Za-z_-]*$/;
const MAJOR = /^(0|([1-9]{1}\d*))$/;
const PREFIX = "com.amazonaws.proton#";

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/**
 * A local AWS Proton (awsJson1_0, `X-Amz-Target: AwsProton20200720.<Operation>`, SigV4 scope `proton`)
 * for the real `@aws-sdk/client-proton`. It keeps templates and versions and enforces the API
 * reference's rules (shared/reference/aws/README.md §3.3): the template must exist; `majorVersion`
 * present means a new minor of that major, which must exist; absent means a new major (highest + 1);
 * the S3 bundle must exist (checked in s3rver); service versions need 1–10 compatible environment
 * templates that exist; `clientToken` makes a create idempotent. `endOfSupport()` answers every call as
 * the ended service does (access denied), or closes the endpoint.
 */
export class FakeProton extends AwsServiceFake {
  readonly server: AwsJsonServer;
  private readonly templates = new Map<string, FakeTemplate>();
  private readonly tokens = new Map<string, { input: string; output: unknown }>();
  private gone = false;
  private closed = false;

  private constructor(private readonly s3: S3Client) {
    super();
    this.server = new AwsJsonServer({
      protocol: "1.0",
      targetPrefix: "AwsProton20200720",
      service: "proton",
      operations: {
        GetEnvironmentTemplate: (i, h) => this.getTemplate("environment", i, h),
        GetServiceTemplate: (i, h) => this.getTemplate("service", i, h),
        CreateEnvironmentTemplate: (i, h) => this.createTemplate("environment", i, h),
        CreateServiceTemplate: (i, h) => this.createTemplate("service", i, h),
        CreateEnvironmentTemplateVersion: (i, h) => this.createVersion("environment", i, h),
        CreateServiceTemplateVersion: (i, h) => this.createVersion("service", i, h),
        ListEnvironmentTemplateVersions: (i, h) => this.listVersions("environment", i, h),
        ListServiceTemplateVersions: (i, h) => this.listVersions("service", i, h),
      },
    });
  }

  /** `s3` must talk to the bucket store directly (bundles are looked up there). */
  static async start(s3: S3Client): Promise<FakeProton> {
    const p = new FakeProton(s3);
    await p.server.start();
    return p;
  }


  /**
   * AWS Proton ended on 2026-10-07. "access-denied": every call answers 403 AccessDeniedException with
   * the end-of-support notice. "endpoint-removed": the endpoint stops answering (connection refused).
   */
  async endOfSupport(style: "access-denied" | "endpoint-removed" = "access-denied"): Promise<void> {
    this.gone = true;
    if (style === "endpoint-removed" && !this.closed) {
      this.closed = true;
      await this.server.close();
    }
  }

  /** Seeds a template (and optionally versions), as if registered before. */
  addTemplate(kind: ProtonKind, name: string, majors: number[] = []): void {
    const t = this.newTemplate(kind, name, "us-east-1");
    for (const m of majors) t.versions.push({ major: String(m), minor: "0", status: "DRAFT", source: { bucket: "seed", key: "seed" }, createdAt: Date.now() / 1000 });
    this.templates.set(`${kind}:${name}`, t);
  }

  template(kind: ProtonKind, name: string): { versions: FakeTemplateVersion[]; pipelineProvisioning?: string } | undefined {
    return this.templates.get(`${kind}:${name}`);
  }

  async close(): Promise<void> {
    if (!this.closed) await this.server.close();
    this.closed = true;
  }

  private check() {
    if (this.gone) {
      throw new AwsFakeError(
        `${PREFIX}AccessDeniedException`,
        403,
        "AWS Proton reached end of support on October 7, 2026. You can no longer access AWS Proton resources.",
      );
    }
  }

  private region(headers: http.IncomingHttpHeaders): string {
    return /Credential=[^/]+\/\d{8}\/([^/]+)\/proton\//.exec(String(headers.authorization ?? ""))?.[1] ?? "us-east-1";
  }

  private newTemplate(kind: ProtonKind, name: string, region: string): FakeTemplate {
    return {
      kind,
      name,
      arn: `arn:aws:proton:${region}:123456789012:${kind}-template/${name}`,
      createdAt: Date.now() / 1000,
      versions: [],
    };
  }

  private find(kind: ProtonKind, name: unknown): FakeTemplate {
    const t = typeof name === "string" ? this.templates.get(`${kind}:${name}`) : undefined;
    if (!t) throw new AwsFakeError(`${PREFIX}ResourceNotFoundException`, 404, `The ${kind} template ${String(name)} was not found`);
    return t;
  }

  private templateShape(t: FakeTemplate) {
    return {
      name: t.name,
      arn: t.arn,
      createdAt: t.createdAt,
      lastModifiedAt: t.createdAt,
      ...(t.displayName ? { displayName: t.displayName } : {}),
      ...(t.description ? { description: t.description } : {}),
      ...(t.pipelineProvisioning ? { pipelineProvisioning: t.pipelineProvisioning } : {}),
    };
  }

  private versionShape(t: FakeTemplate, v: FakeTemplateVersion, status?: string) {
    return {
      templateName: t.name,
      majorVersion: v.major,
      minorVersion: v.minor,
      status: status ?? v.status,
      arn: `${t.arn}:${v.major}.${v.minor}`,
      createdAt: v.createdAt,
      lastModifiedAt: v.createdAt,
      ...(v.description ? { description: v.description } : {}),
      ...(v.compatibleEnvironmentTemplates ? { compatibleEnvironmentTemplates: v.compatibleEnvironmentTemplates } : {}),
    };
  }

  private getTemplate(kind: ProtonKind, input: Record<string, unknown>, _h: http.IncomingHttpHeaders) {
    this.check();
    const t = this.find(kind, input.name);
    return { [`${kind}Template`]: this.templateShape(t) };
  }

  private createTemplate(kind: ProtonKind, input: Record<string, unknown>, h: http.IncomingHttpHeaders) {
    this.check();
    const name = str(input.name);
    if (!name || name.length > 100 || !NAME.test(name)) {
      throw new AwsFakeError(`${PREFIX}ValidationException`, 400, `1 validation error detected: Value at 'name' failed to satisfy constraint`);
    }
    if (this.templates.has(`${kind}:${name}`)) throw new AwsFakeError(`${PREFIX}ConflictException`, 409, `A resource with the name ${name} already exists`);
    const t = this.newTemplate(kind, name, this.region(h));
    t.description = str(input.description);
    t.displayName = str(input.displayName);
    if (kind === "service") t.pipelineProvisioning = str(input.pipelineProvisioning);
    this.templates.set(`${kind}:${name}`, t);
    return { [`${kind}Template`]: this.templateShape(t) };
  }

  private async createVersion(kind: ProtonKind, input: Record<string, unknown>, _h: http.IncomingHttpHeaders) {
    this.check();
    const token = str(input.clientToken);
    const fingerprint = JSON.stringify({ ...input, clientToken: undefined });
    if (token && this.tokens.has(`${kind}:${token}`)) {
      const seen = this.tokens.get(`${kind}:${token}`)!;
      if (seen.input !== fingerprint) throw new AwsFakeError(`${PREFIX}ConflictException`, 409, "clientToken reused with different parameters");
      return seen.output;
    }
    const source = (input.source as { s3?: { bucket?: unknown; key?: unknown } } | undefined)?.s3;
    if (!source) throw new AwsFakeError(`${PREFIX}ValidationException`, 400, "1 validation error detected: Value null at 'source' failed to satisfy constraint: Member must not be null");
    const t = this.find(kind, input.templateName);
    const major = str(input.majorVersion);
    if (major !== undefined && (!MAJOR.test(major) || major.length > 20)) {
      throw new AwsFakeError(`${PREFIX}ValidationException`, 400, `Value '${major}' at 'majorVersion' failed to satisfy constraint`);
    }
    if (major !== undefined && !t.versions.some((v) => v.major === major)) {
      throw new AwsFakeError(`${PREFIX}ResourceNotFoundException`, 404, `The major version ${major} of template ${t.name} was not found`);
    }
    let compatible: FakeTemplateVersion["compatibleEnvironmentTemplates"];
    if (kind === "service") {
      const list = Array.isArray(input.compatibleEnvironmentTemplates) ? (input.compatibleEnvironmentTemplates as Array<Record<string, unknown>>) : [];
      if (list.length < 1 || list.length > 10) {
        throw new AwsFakeError(`${PREFIX}ValidationException`, 400, "1 validation error detected: Value at 'compatibleEnvironmentTemplates' failed to satisfy constraint: Member must have length between 1 and 10");
      }
      compatible = list.map((c) => ({ templateName: String(c.templateName), majorVersion: String(c.majorVersion) }));
      for (const c of compatible) {
        const env = this.templates.get(`environment:${c.templateName}`);
        if (!env || !env.versions.some((v) => v.major === c.majorVersion)) {
          throw new AwsFakeError(`${PREFIX}ValidationException`, 400, `Compatible environment template ${c.templateName}:${c.majorVersion} does not exist`);
        }
      }
    }
    const bucket = String(source.bucket ?? "");
    const key = String(source.key ?? "");
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch {
      throw new AwsFakeError(`${PREFIX}ValidationException`, 400, `Unable to access the template bundle at s3://${bucket}/${key}`);
    }
    const majors = t.versions.map((v) => Number(v.major));
    const newMajor = major ?? String(majors.length ? Math.max(...majors) + 1 : 1);
    const minors = t.versions.filter((v) => v.major === newMajor).map((v) => Number(v.minor));
    const version: FakeTemplateVersion = {
      major: newMajor,
      minor: String(minors.length ? Math.max(...minors) + 1 : 0),
      status: "DRAFT",
      source: { bucket, key },
      description: str(input.description),
      compatibleEnvironmentTemplates: compatible,
      createdAt: Date.now() / 1000,
    };
    t.versions.push(version);
    const output = { [`${kind}TemplateVersion`]: this.versionShape(t, version, "REGISTRATION_IN_PROGRESS") };
    if (token) this.tokens.set(`${kind}:${token}`, { input: fingerprint, output });
    return output;
  }

  private listVersions(kind: ProtonKind, input: Record<string, unknown>, _h: http.IncomingHttpHeaders) {
    this.check();
    const t = this.find(kind, input.templateName);
    const major = str(input.majorVersion);
    const all = t.versions.filter((v) => major === undefined || v.major === major);
    const start = str(input.nextToken) ? Number(Buffer.from(str(input.nextToken)!, "base64").toString("utf8")) : 0;
    const max = typeof input.maxResults === "number" ? input.maxResults : 100;
    const page = all.slice(start, start + max);
    const next = start + max < all.length ? Buffer.from(String(start + max)).toString("base64") : undefined;
    return { templateVersions: page.map((v) => this.versionShape(t, v)), ...(next ? { nextToken: next } : {}) };
  }
}
