import { createHash } from "node:crypto";
import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetEnvironmentTemplateCommand,
  GetServiceTemplateCommand,
  ListEnvironmentTemplateVersionsCommand,
  ListServiceTemplateVersionsCommand,
  type ProtonClient,
} from "@aws-sdk/client-proton";
import type { DetectedVersion, RegistrationTarget, TargetResult } from "./target";
import { classifyProtonError } from "./proton-errors";

class Rejected extends Error {}

/**
 * Registers template versions with AWS Proton: a new major when Proton has no `N` yet (Proton numbers
 * majors itself, so `vN` must be the next one), a new minor of `N` otherwise. The client token is
 * derived from repository, template, major and content hash, so a redelivered push cannot register
 * the same content twice.
 */
export class ProtonTarget implements RegistrationTarget {
  readonly id = "proton" as const;

  constructor(
    private readonly client: ProtonClient,
    private readonly opts: { createTemplates: boolean },
  ) {}

  async register(v: DetectedVersion, { lastAttempt }: { lastAttempt: boolean }): Promise<TargetResult> {
    try {
      await this.ensureTemplate(v);
      const majors = await this.majors(v);
      const highest = majors.size ? Math.max(...majors) : 0;
      const newMajor = !majors.has(v.major);
      if (newMajor && v.major !== highest + 1) {
        return { state: "failed", reason: `v${v.major} cannot be registered: Proton's next major for ${v.template} is ${highest + 1}` };
      }
      const version = await this.createVersion(v, newMajor);
      if (version.major !== String(v.major)) {
        return { state: "failed", reason: `Proton registered ${v.template} as ${version.major}.${version.minor}, not v${v.major}` };
      }
      return { state: "done", detail: `${version.major}.${version.minor}` };
    } catch (err) {
      if (err instanceof Rejected) return { state: "failed", reason: err.message };
      const f = classifyProtonError(err);
      if (f.kind === "unavailable") return { state: "unavailable", reason: f.reason };
      if (f.kind === "rejected") return { state: "failed", reason: f.reason };
      if (lastAttempt) return { state: "unavailable", reason: `Proton kept failing: ${f.reason}` };
      return { state: "retry", error: err instanceof Error ? err : new Error(f.reason) };
    }
  }

  private async ensureTemplate(v: DetectedVersion): Promise<void> {
    try {
      if (v.kind === "service") await this.client.send(new GetServiceTemplateCommand({ name: v.template }));
      else await this.client.send(new GetEnvironmentTemplateCommand({ name: v.template }));
      return;
    } catch (err) {
      if ((err as { name?: string }).name !== "ResourceNotFoundException") throw err;
    }
    if (!this.opts.createTemplates) throw new Rejected(`${v.kind} template ${v.template} does not exist in Proton (creating templates is off)`);
    const description = `Synced from Bitbucket ${v.repositoryFullName}`.slice(0, 500);
    try {
      if (v.kind === "service") {
        await this.client.send(
          new CreateServiceTemplateCommand({
            name: v.template,
            description,
            ...(v.customerManagedPipeline ? { pipelineProvisioning: "CUSTOMER_MANAGED" as const } : {}),
          }),
        );
      } else {
        await this.client.send(new CreateEnvironmentTemplateCommand({ name: v.template, description }));
      }
    } catch (err) {
      if ((err as { name?: string }).name !== "ConflictException") throw err; // created meanwhile
    }
  }

  private async majors(v: DetectedVersion): Promise<Set<number>> {
    const out = new Set<number>();
    let nextToken: string | undefined;
    do {
      const page =
        v.kind === "service"
          ? await this.client.send(new ListServiceTemplateVersionsCommand({ templateName: v.template, nextToken }))
          : await this.client.send(new ListEnvironmentTemplateVersionsCommand({ templateName: v.template, nextToken }));
      for (const s of page.templateVersions ?? []) if (s.majorVersion) out.add(Number(s.majorVersion));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }

  private async createVersion(v: DetectedVersion, newMajor: boolean): Promise<{ major: string; minor: string }> {
    const clientToken = createHash("sha256").update(`${v.repositoryUuid}|${v.template}|${v.major}|${v.contentHash}`).digest("hex");
    const common = {
      templateName: v.template,
      source: { s3: { bucket: v.bundle.bucket, key: v.bundle.key } },
      description: `${v.repositoryFullName}@${v.commit.slice(0, 12)} (${v.branch})`.slice(0, 500),
      clientToken,
      ...(newMajor ? {} : { majorVersion: String(v.major) }),
    };
    if (v.kind === "service") {
      const out = await this.client.send(
        new CreateServiceTemplateVersionCommand({
          ...common,
          compatibleEnvironmentTemplates: v.compatibleEnvironments,
          ...(v.supportedComponentSources.length ? { supportedComponentSources: v.supportedComponentSources as Array<"DIRECTLY_DEFINED"> } : {}),
        }),
      );
      return { major: out.serviceTemplateVersion?.majorVersion ?? "?", minor: out.serviceTemplateVersion?.minorVersion ?? "?" };
    }
    const out = await this.client.send(new CreateEnvironmentTemplateVersionCommand(common));
    return { major: out.environmentTemplateVersion?.majorVersion ?? "?", minor: out.environmentTemplateVersion?.minorVersion ?? "?" };
  }
}
