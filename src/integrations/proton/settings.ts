import { z } from "zod";
import { defineIntegration, type FieldMeta, type SetupFacts, type SetupStep } from "../../settings/registry";
import { deliveryStep, turnedOnStep } from "../../settings/setup-steps";
import { ROLE_ARN } from "../../aws/clients";
import { externalIdFor } from "../../aws/external-id";
import { checkProtonAccess } from "./access-check";

/** Path segments we write into S3 keys: no `..`, no leading or trailing slash, plain characters. */
const SAFE_PATH = /^(?:[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*)?$/;
const safePath = (what: string) =>
  z
    .string()
    .max(200)
    .regex(SAFE_PATH, `${what} must be plain path segments separated by /`)
    .refine((v) => !v.split("/").some((s) => s === "." || s === ".."), `${what} must not contain . or .. segments`);

/** S3 bucket naming rules (3–63 chars, lower case, digits, dots, hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const ProtonSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    bucket: z.string().refine((v) => v === "" || BUCKET.test(v), "not a valid S3 bucket name").default(""),
    prefix: safePath("prefix").default(""),
    /** The `<project>` key segment; empty means the repository slug (Data Center: `PROJECT/slug`). */
    project: safePath("project").default(""),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "not an AWS region").default("us-east-1"),
    /** SSE-KMS with this key when set; SSE-S3 (AES256) otherwise. */
    kmsKeyId: z.string().max(2048).default(""),
    /** Branches to sync (exact names or `*` globs); empty means the repository's main branch. */
    branches: z.array(z.string().min(1).max(255)).max(50).default([]),
    roleArn: z.string().refine((v) => v === "" || ROLE_ARN.test(v), "not an IAM role ARN").default(""),
    /** Folder holding `<template>/v<N>/` folders; empty means the repository root. */
    templatesPath: safePath("templatesPath").default(""),
    /** Register versions with AWS Proton (ended 2026-10-07; see docs/integrations/proton.md). */
    registerWithProton: z.boolean().default(true),
    /** Create a Proton template that does not exist yet. */
    createTemplates: z.boolean().default(true),
    /** Largest single file accepted inside a template folder, in MiB. */
    maxEntryMiB: z.number().int().min(1).max(100).default(20),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.enabled && !v.bucket) ctx.addIssue({ code: "custom", path: ["bucket"], message: "is required when the sync is on" });
  });

export type ProtonSettings = z.infer<typeof ProtonSettingsSchema>;

declare module "../../settings/registry" {
  interface IntegrationSettingsMap {
    proton: ProtonSettings;
  }
}

/** The IAM permissions the customer's role needs (shown on the settings page). */
export function permissionsPolicy(s: Pick<ProtonSettings, "bucket" | "prefix" | "kmsKeyId">): string {
  const bucket = s.bucket || "<bucket>";
  const prefix = s.prefix ? `${s.prefix}/` : "";
  const statements: Array<Record<string, unknown>> = [
    // HeadBucket, for the check run when the settings are saved (region, existence).
    { Effect: "Allow", Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::${bucket}` },
    {
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
      Resource: `arn:aws:s3:::${bucket}/${prefix}*`,
    },
    {
      Effect: "Allow",
      Action: [
        "proton:GetEnvironmentTemplate",
        "proton:CreateEnvironmentTemplate",
        "proton:ListEnvironmentTemplateVersions",
        "proton:CreateEnvironmentTemplateVersion",
        "proton:GetServiceTemplate",
        "proton:CreateServiceTemplate",
        "proton:ListServiceTemplateVersions",
        "proton:CreateServiceTemplateVersion",
      ],
      Resource: "*",
    },
  ];
  if (s.kmsKeyId) statements.push({ Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: s.kmsKeyId });
  return JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 2);
}

/** How the settings page groups and explains the Proton fields. */
export const PROTON_GROUPS = ["What to sync", "AWS Proton", "AWS wiring"] as const;

export const PROTON_FIELDS: Partial<Record<keyof ProtonSettings, FieldMeta>> = {
  branches: {
    group: "What to sync",
    label: "Branches",
    help: "Exact names or * patterns. Empty: the repository's main branch.",
    placeholder: "main, release/*",
  },
  templatesPath: {
    group: "What to sync",
    label: "Templates folder",
    help: "The folder holding <template>/v<N>/ folders. Empty: the repository root.",
    placeholder: "proton/templates",
  },
  project: {
    group: "What to sync",
    label: "Project key segment",
    help: "The <project> part of the S3 keys. Empty: the repository slug (on Bitbucket Data Center: PROJECT/slug).",
    placeholder: "widgets",
  },
  maxEntryMiB: {
    group: "What to sync",
    label: "Largest file in a template folder (MiB)",
    help: "Bigger files are refused with a reason in the activity log.",
    placeholder: "20",
  },
  registerWithProton: {
    group: "AWS Proton",
    label: "Register template versions with AWS Proton",
    help: "AWS Proton ended on 2026-10-07: registration is best effort; versions are announced on EventBridge either way.",
  },
  createTemplates: { group: "AWS Proton", label: "Create templates that do not exist yet" },
  bucket: { group: "AWS wiring", label: "S3 bucket", help: "Required when the sync is on.", placeholder: "acme-proton-archive" },
  prefix: { group: "AWS wiring", label: "Key prefix", help: "Optional folder in the bucket for every key.", placeholder: "bitbucket" },
  region: { group: "AWS wiring", label: "AWS region", help: "The bucket's region.", placeholder: "eu-west-1" },
  roleArn: {
    group: "AWS wiring",
    label: "IAM role the app assumes",
    help: "Its trust policy names this app with the ExternalId below; the permissions it needs are below too.",
    placeholder: "arn:aws:iam::123456789012:role/relay-proton",
  },
  kmsKeyId: {
    group: "AWS wiring",
    label: "KMS key",
    help: "Encrypts the archives with SSE-KMS when set; SSE-S3 (AES256) otherwise.",
    placeholder: "arn:aws:kms:eu-west-1:123456789012:key/…",
  },
};

/** The Proton checklist: on and saved with a bucket; a push of this repository archived. */
export function protonSetup(facts: SetupFacts<ProtonSettings>): SetupStep[] {
  return [
    turnedOnStep(facts, "Set the bucket and the role, turn it on and save"),
    deliveryStep(facts, "Push to a synced branch", "Waiting for the first push to a synced branch; Check AWS access tests the role meanwhile."),
  ];
}

export const protonIntegration = defineIntegration<ProtonSettings>({
  id: "proton",
  title: "AWS S3 archive & template versions (Proton)",
  // One line on the card; that AWS Proton ended (2026-10-07) is said under "Register template versions with AWS Proton".
  description: "Archives each push to your S3 bucket and announces new template versions (AWS Proton, EventBridge).",
  schema: ProtonSettingsSchema as unknown as z.ZodType<ProtonSettings>,
  secretFields: [],
  fields: PROTON_FIELDS,
  groups: PROTON_GROUPS,
  setup: protonSetup,
  async copyValues({ services, installation, settings }) {
    return [
      { label: "ExternalId for the role's trust policy", value: await externalIdFor(services.installations, installation.id) },
      { label: "Permissions policy for the role", value: permissionsPolicy(settings), multiline: true },
    ];
  },
  // Saving is never blocked: the role is often created after the settings (it needs the ExternalId above).
  async checks(ctx) {
    return ctx.settings.enabled ? checkProtonAccess(ctx) : [];
  },
  actions: {
    checkAccess: {
      label: "Check AWS access",
      async run(ctx) {
        const checks = await checkProtonAccess(ctx);
        if (!checks.length) return { ok: false, message: "set the bucket first", detail: { checks } };
        const failed = checks.filter((c) => !c.ok);
        const message = (failed.length ? failed : checks).map((c) => `${c.label}: ${c.message}`).join("; ");
        return { ok: failed.length === 0, message, detail: { checks } };
      },
    },
  },
});
