import { z } from "zod";
import { ROLE_ARN } from "../../aws/clients";
import type { FieldMeta, SetupFacts, SetupStep } from "../../settings/registry";
import { deliveryStep, turnedOnStep } from "../../settings/setup-steps";

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

/** How the settings page groups and explains the Buildkite fields. */
export const BUILDKITE_GROUPS = ["What to report", "Where events come from", "AWS wiring"] as const;

const ROLE_PLACEHOLDER = "arn:aws:iam::123456789012:role/relay-buildkite";

export const BUILDKITE_FIELDS: Partial<Record<keyof BuildkiteSettings, FieldMeta>> = {
  branches: {
    group: "What to report",
    label: "Branches",
    help: "Only report builds of these branches; * matches any characters. Empty: every branch.",
    placeholder: "main, release/*",
  },
  skipNonShaCommits: {
    group: "What to report",
    label: "Skip builds without a full commit SHA",
    help: "A build of HEAD or of a short ref cannot be matched to a commit.",
  },
  skipTriggerJobs: {
    group: "What to report",
    label: "Skip builds started by another pipeline",
    help: "Builds started by a trigger step; the parent pipeline reports on the commit already.",
  },
  blockedAs: {
    group: "What to report",
    label: "A build waiting on a block step shows as",
    options: [
      { value: "SUCCESSFUL", label: "Passed (the steps so far passed)" },
      { value: "INPROGRESS", label: "In progress (until it is unblocked)" },
    ],
  },
  pipelines: {
    group: "Where events come from",
    label: "Pipelines",
    help: "Buildkite pipelines that report here, as pipeline-slug or org-slug/pipeline-slug. Empty: every pipeline that clones this repository.",
    placeholder: "my-org/deploy, web-tests",
  },
  awsRegion: {
    group: "AWS wiring",
    label: "AWS region",
    help: "Only for delivery through Amazon EventBridge; webhooks need none of the AWS fields.",
    placeholder: "eu-west-1",
  },
  awsRoleArn: {
    group: "AWS wiring",
    label: "IAM role the app assumes",
    help: "Trusts this app with the ExternalId below; Connect EventBridge uses it to create the rule.",
    placeholder: ROLE_PLACEHOLDER,
  },
  eventBusName: {
    group: "AWS wiring",
    label: "Buildkite partner event bus",
    help: "The bus Buildkite's Amazon EventBridge notification service created in your account.",
    placeholder: "aws.partner/buildkite.com/my-org/0106-187c-12cd4fe",
  },
  invokeRoleArn: {
    group: "AWS wiring",
    label: "Role EventBridge uses to call the app",
    help: "Optional: the role with events:InvokeApiDestination that EventBridge uses to call the app (its trust policy is under Values to copy).",
    placeholder: "arn:aws:iam::123456789012:role/relay-invoke",
  },
  deadLetterQueueArn: {
    group: "AWS wiring",
    label: "Dead-letter queue",
    help: "Optional: an SQS queue for events EventBridge could not deliver.",
    placeholder: "arn:aws:sqs:eu-west-1:123456789012:relay-buildkite-dlq",
  },
};

/**
 * The Buildkite setup checklist: switched on and saved; Buildkite (webhook or EventBridge) has
 * reached the app's inbound door; a build of this repository arrived and was reported.
 */
export function buildkiteSetup(facts: SetupFacts<BuildkiteSettings>): SetupStep[] {
  const reached = facts.lastInboundAt !== null;
  return [
    turnedOnStep(facts),
    {
      id: "paste",
      label: "Paste the webhook URL and token into Buildkite (or connect EventBridge)",
      done: reached,
      detail: reached ? "Buildkite has reached the app." : "Both are under Values to copy below; in Buildkite: Organization settings → Notification services → Webhook.",
    },
    deliveryStep(facts, "Send a test event: run a build of this repository", "Waiting for the first build event of this repository."),
  ];
}
