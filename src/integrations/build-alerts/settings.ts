import { z } from "zod";
import { defineIntegration } from "../../settings/registry";
import { sendTestAlert } from "./test-alert";

export const TARGETS = ["alertops", "pagerduty", "webhook"] as const;
export type TargetId = (typeof TARGETS)[number];

export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

const httpUrl = z.string().trim().max(2048).refine((v) => {
  try {
    return ["https:", "http:"].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, "must be an http(s) URL");
const globs = z.array(z.string().trim().min(1).max(255)).max(50).default([]);

export const BuildAlertsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Only statuses on these branches (globs); empty: every branch. */
    branches: globs,
    /** Only statuses with these keys (globs); empty: every key. */
    statusKeys: globs,
    /** Paging policy, when to open: `failed` (a finished build failed) or `failing` (already when a job failed, the build still running). */
    openWhen: z.enum(["failed", "failing"]).default("failed"),
    /** Paging policy, when to resolve: `passed` (a later success) or `passedOrRunning` (also when a new run starts). */
    resolveWhen: z.enum(["passed", "passedOrRunning"]).default("passed"),
    alertopsEnabled: z.boolean().default(false),
    /** The AlertOps inbound integration URL (it carries the integration's API key: stored as a secret). */
    alertopsUrl: httpUrl.optional(),
    pagerdutyEnabled: z.boolean().default(false),
    pagerdutyRoutingKey: z.string().trim().regex(/^[\w-]{1,64}$/, "must be a PagerDuty integration (routing) key").optional(),
    pagerdutySeverity: z.enum(["critical", "error", "warning", "info"]).default("error"),
    /** Events API v2 endpoint (EU accounts: https://events.eu.pagerduty.com/v2/enqueue). */
    pagerdutyEventsUrl: httpUrl.default(PAGERDUTY_EVENTS_URL),
    webhookEnabled: z.boolean().default(false),
    webhookUrl: z.union([z.literal(""), httpUrl]).default(""),
    /** HMAC-SHA256 key for the X-Relay-Signature header. */
    webhookSecret: z.string().min(16, "must be at least 16 characters").max(256).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const need = (on: boolean, field: string, value: unknown) => {
      if (on && !value) ctx.addIssue({ code: "custom", path: [field], message: "is required when this target is on" });
    };
    need(s.alertopsEnabled, "alertopsUrl", s.alertopsUrl);
    need(s.pagerdutyEnabled, "pagerdutyRoutingKey", s.pagerdutyRoutingKey);
    need(s.webhookEnabled, "webhookUrl", s.webhookUrl);
    need(s.webhookEnabled, "webhookSecret", s.webhookSecret);
  });

export type BuildAlertsSettings = z.infer<typeof BuildAlertsSchema>;

declare module "../../settings/registry" {
  interface IntegrationSettingsMap {
    "build-alerts": BuildAlertsSettings;
  }
}

export function enabledTargets(s: BuildAlertsSettings): TargetId[] {
  return TARGETS.filter((t) => (t === "alertops" ? s.alertopsEnabled : t === "pagerduty" ? s.pagerdutyEnabled : s.webhookEnabled));
}

export const buildAlerts = defineIntegration<BuildAlertsSettings>({
  id: "build-alerts",
  title: "Build alerts",
  description: "Opens an incident in AlertOps, PagerDuty or your webhook when a build fails, and resolves it when a later build passes (the paging policy can open already while failing, or resolve when a new run starts).",
  schema: BuildAlertsSchema,
  secretFields: ["alertopsUrl", "pagerdutyRoutingKey", "webhookSecret"],
  outboundUrls: ["alertopsUrl", "pagerdutyEventsUrl", "webhookUrl"],
  actions: {
    testAlert: {
      label: "Send test alert",
      run: (ctx) => sendTestAlert(ctx),
    },
  },
});
