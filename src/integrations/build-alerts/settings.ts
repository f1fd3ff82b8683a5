import { z } from "zod";
import { defineIntegration, type FieldMeta, type SetupFacts, type SetupStep } from "../../settings/registry";
import { deliveryStep, turnedOnStep } from "../../settings/setup-steps";
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


/** How the settings page groups and explains the build alert fields (secrets included). */
export const BUILD_ALERTS_GROUPS = ["What to report", "When to page", "Where alerts go"] as const;

export const BUILD_ALERTS_FIELDS: Partial<Record<keyof BuildAlertsSettings, FieldMeta>> = {
  branches: {
    group: "What to report",
    label: "Branches",
    help: "Alert only on builds of these branches; * matches any characters. Empty: every branch.",
    placeholder: "main, release/*",
  },
  statusKeys: {
    group: "What to report",
    label: "Build status keys",
    help: "Alert only on build statuses with these keys. Empty: every build status.",
    placeholder: "ci/*, deploy-production",
  },
  openWhen: {
    group: "When to page",
    label: "Open an incident",
    help: "A failed build opens an incident when it has finished (default), or already when a job fails while the build still runs (Buildkite's failing). See the paging policy in the build alerts guide.",
    options: [
      { value: "failed", label: "When a finished build failed" },
      { value: "failing", label: "As soon as a job fails (build still running)" },
    ],
  },
  resolveWhen: {
    group: "When to page",
    label: "Resolve the incident",
    help: "A later successful build resolves it (default), or also a new run of the build starting.",
    options: [
      { value: "passed", label: "When a later build passes" },
      { value: "passedOrRunning", label: "When a later build passes or a new run starts" },
    ],
  },
  alertopsEnabled: { group: "Where alerts go", label: "Send to AlertOps" },
  alertopsUrl: {
    group: "Where alerts go",
    label: "AlertOps inbound integration URL",
    help: "It carries the AlertOps API key, so it is stored encrypted and never shown again.",
    placeholder: "https://notify.alertops.com/POSTAlert/…",
  },
  pagerdutyEnabled: { group: "Where alerts go", label: "Send to PagerDuty" },
  pagerdutyRoutingKey: {
    group: "Where alerts go",
    label: "PagerDuty integration key",
    help: "The Events API v2 integration (routing) key of the PagerDuty service.",
  },
  pagerdutySeverity: {
    group: "Where alerts go",
    label: "PagerDuty severity",
    options: [
      { value: "critical", label: "Critical" },
      { value: "error", label: "Error" },
      { value: "warning", label: "Warning" },
      { value: "info", label: "Info" },
    ],
  },
  pagerdutyEventsUrl: {
    group: "Where alerts go",
    label: "PagerDuty Events API URL",
    help: "Accounts in the EU service region use https://events.eu.pagerduty.com/v2/enqueue.",
    placeholder: PAGERDUTY_EVENTS_URL,
  },
  webhookEnabled: { group: "Where alerts go", label: "Send to your webhook" },
  webhookUrl: {
    group: "Where alerts go",
    label: "Webhook URL",
    help: "The app POSTs a JSON alert here when a build fails and again when it recovers.",
    placeholder: "https://alerts.example.com/relay",
  },
  webhookSecret: {
    group: "Where alerts go",
    label: "Webhook signing secret",
    help: "HMAC-SHA256 key for the X-Relay-Signature header; at least 16 characters.",
  },
};

/** The fields a target cannot work without. */
const TARGET_NEEDS: Record<TargetId, ReadonlyArray<keyof BuildAlertsSettings>> = {
  alertops: ["alertopsUrl"],
  pagerduty: ["pagerdutyRoutingKey"],
  webhook: ["webhookUrl", "webhookSecret"],
};

/** The build alerts checklist: on and saved; a target with its key; a build status of this repository handled. */
export function buildAlertsSetup(facts: SetupFacts<BuildAlertsSettings>): SetupStep[] {
  const targets = enabledTargets(facts.settings);
  const ready = targets.length > 0 && targets.every((t) => TARGET_NEEDS[t].every((f) => Boolean(facts.settings[f])));
  return [
    turnedOnStep(facts),
    {
      id: "target",
      label: "Choose where alerts go: AlertOps, PagerDuty or your webhook, with its key",
      done: ready,
      ...(ready ? {} : { detail: "Switch a target on, fill in its URL or key and save; then Send test alert." }),
    },
    deliveryStep(facts, "A build status of this repository arrives from Bitbucket", "Waiting for the next build status (any CI that reports to Bitbucket)."),
  ];
}

export const buildAlerts = defineIntegration<BuildAlertsSettings>({
  id: "build-alerts",
  title: "Build alerts",
  description: "Opens an incident in AlertOps, PagerDuty or your webhook when a build fails, and resolves it when a later build passes (the paging policy can open already while failing, or resolve when a new run starts).",
  schema: BuildAlertsSchema,
  secretFields: ["alertopsUrl", "pagerdutyRoutingKey", "webhookSecret"],
  outboundUrls: ["alertopsUrl", "pagerdutyEventsUrl", "webhookUrl"],
  fields: BUILD_ALERTS_FIELDS,
  groups: BUILD_ALERTS_GROUPS,
  setup: buildAlertsSetup,
  actions: {
    testAlert: {
      label: "Send test alert",
      run: (ctx) => sendTestAlert(ctx),
    },
  },
});
