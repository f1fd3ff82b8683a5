import { z } from "zod";
import { ROLE_ARN } from "../../aws/clients";

/** A pipeline reference in the explicit mapping: `pipeline-slug` or `org-slug/pipeline-slug`. */
const PipelineRef = z.string().regex(/^([a-z0-9][a-z0-9_-]*\/)?[a-z0-9][a-z0-9_.-]*$/i, "use pipeline-slug or org-slug/pipeline-slug").max(200);

/** A branch pattern: a name, `*` matching any run of characters (`release/*`, `main`). */
const BranchPattern = z.string().min(1).max(200);

const optionalArn = (re: RegExp, what: string) =>
  z.union([z.literal(""), z.string().regex(re, `not ${what}`)]).default("");

/**
 * Per-repository Buildkite settings. Build statuses are reported to this repository when it is
 * enabled and a build's pipeline either is listed in `pipelines` (explicit mapping, which wins over
 * URL matching across the installation) or clones this repository (pipeline.repo).
 *
 * The AWS fields are used by the "Connect EventBridge" action, which wires the installation's
 * EventBridge resources (one set per installation, whichever repository's page runs it).
 */
export const BuildkiteSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Explicit pipeline → this repository mapping; overrides matching by repository URL. */
    pipelines: z.array(PipelineRef).max(100).default([]),
    /** Skip builds whose commit is `HEAD` or not a full 40-hex SHA. */
    skipNonShaCommits: z.boolean().default(true),
    /** Skip builds started by a trigger step of another pipeline (`source: trigger_job`). */
    skipTriggerJobs: z.boolean().default(true),
    /** Only report builds of these branches (empty: every branch). */
    branches: z.array(BranchPattern).max(50).default([]),
    /** How a blocked build (waiting on a block step, earlier steps passed) shows. */
    blockedAs: z.enum(["SUCCESSFUL", "INPROGRESS"]).default("SUCCESSFUL"),
    awsRegion: z.union([z.literal(""), z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "not an AWS region")]).default(""),
    /** The customer's role the app assumes (with the installation's ExternalId) to wire EventBridge. */
    awsRoleArn: optionalArn(ROLE_ARN, "an IAM role ARN"),
    /** The Buildkite partner event bus, `aws.partner/buildkite.com/<org>/<id>`. */
    eventBusName: z
      .union([z.literal(""), z.string().regex(/^aws\.partner(\/[.\-_A-Za-z0-9]+){2,}$/, "not a partner event bus name")])
      .default(""),
    /** The role EventBridge uses to invoke the API destination (events:InvokeApiDestination). */
    invokeRoleArn: optionalArn(ROLE_ARN, "an IAM role ARN"),
    /** Optional SQS dead-letter queue for events EventBridge could not deliver. */
    deadLetterQueueArn: optionalArn(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}$/, "an SQS queue ARN"),
  })
  .strict();

export type BuildkiteSettings = z.infer<typeof BuildkiteSettingsSchema>;

declare module "../../settings/registry" {
  interface IntegrationSettingsMap {
    buildkite: BuildkiteSettings;
  }
}
