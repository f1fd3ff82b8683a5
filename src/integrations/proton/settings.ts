import { z } from "zod";
import { defineIntegration } from "../../settings/registry";
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
    /** The `<project>` key segment; empty means the repository slug. */
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

export const protonIntegration = defineIntegration<ProtonSettings>({
  id: "proton",
  title: "AWS S3 archive & template versions (Proton)",
  description:
    "Archives each push to your S3 bucket and detects Proton template versions. AWS Proton ended on 2026-10-07: registration there is best effort; the same signal goes to EventBridge.",
  schema: ProtonSettingsSchema as unknown as z.ZodType<ProtonSettings>,
  secretFields: [],
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
