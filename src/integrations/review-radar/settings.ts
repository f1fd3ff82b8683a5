import { z } from "zod";
import { defineIntegration, type FieldMeta, type SetupFacts, type SetupStep } from "../../settings/registry";
import { deliveryStep, turnedOnStep } from "../../settings/setup-steps";
import { isChatWebhookUrl } from "./chat/targets";
import { sendTestReminder } from "./reminder";

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24h)");

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const chatUrl = (kind: "slack" | "teams" | "googleChat") =>
  z
    .string()
    .max(2048)
    .refine((v) => isChatWebhookUrl(kind, v), { message: `is not a ${kind} incoming webhook URL` })
    .optional();

/**
 * Review radar: the sidebar panel (always on; these settings shape it) and chat reminders
 * (`enabled` switches the reminders on for the repository).
 */
export const ReviewRadarSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** A PR needs review while it has fewer approvals than this. */
    requiredApprovals: z.number().int().min(1).max(10).default(2),
    /** Draft PRs: listed in a section of their own, or hidden. */
    drafts: z.enum(["separate", "hide"]).default("separate"),
    /** Age is counted from creation, or from the last update (staleness). */
    ageFrom: z.enum(["created", "updated"]).default("created"),
    ageWarnDays: z.number().min(0).max(365).default(2),
    ageAlertDays: z.number().min(0).max(365).default(3),
    /** Reminders: every hour within working hours, or at set times. */
    schedule: z.enum(["hourly", "times"]).default("times"),
    times: z.array(HHMM).max(24).default(["09:30"]),
    /** ISO weekdays the reminders run on: 1 = Monday … 7 = Sunday. */
    weekdays: z.array(z.number().int().min(1).max(7)).max(7).default([1, 2, 3, 4, 5]),
    workdayStart: HHMM.default("09:00"),
    workdayEnd: HHMM.default("17:00"),
    timeZone: z.string().max(64).refine(isTimeZone, { message: "is not an IANA time zone" }).default("UTC"),
    slackWebhookUrl: chatUrl("slack"),
    teamsWebhookUrl: chatUrl("teams"),
    googleChatWebhookUrl: chatUrl("googleChat"),
  })
  .strict()
  .refine((s) => s.ageWarnDays <= s.ageAlertDays, { path: ["ageWarnDays"], message: "must not be more than ageAlertDays" })
  .refine((s) => s.workdayStart < s.workdayEnd, { path: ["workdayEnd"], message: "must be after workdayStart" })
  .refine((s) => s.schedule !== "times" || s.times.every((t) => t >= s.workdayStart && t < s.workdayEnd), {
    path: ["times"],
    message: "must lie within working hours",
  });

export type ReviewRadarSettings = z.infer<typeof ReviewRadarSettingsSchema>;

declare module "../../settings/registry" {
  interface IntegrationSettingsMap {
    "review-radar": ReviewRadarSettings;
  }
}

export const REVIEW_RADAR_SECRETS = ["slackWebhookUrl", "teamsWebhookUrl", "googleChatWebhookUrl"] as const;

/** How the settings page groups and explains the review radar fields (chat webhooks included). */
export const REVIEW_RADAR_GROUPS = ["What to report", "When reminders go out", "Where reminders go"] as const;

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export const REVIEW_RADAR_FIELDS: Partial<Record<keyof ReviewRadarSettings, FieldMeta>> = {
  requiredApprovals: {
    group: "What to report",
    label: "Approvals needed",
    help: "A pull request needs review while it has fewer approvals than this.",
    placeholder: "2",
  },
  drafts: {
    group: "What to report",
    label: "Draft pull requests",
    options: [
      { value: "separate", label: "Shown separately" },
      { value: "hide", label: "Hidden" },
    ],
  },
  ageFrom: {
    group: "What to report",
    label: "Age counts from",
    options: [
      { value: "created", label: "When the pull request was opened" },
      { value: "updated", label: "Its last update" },
    ],
  },
  ageWarnDays: { group: "What to report", label: "Ageing after (days)", help: "Marked amber from this age.", placeholder: "2" },
  ageAlertDays: { group: "What to report", label: "Overdue after (days)", help: "Marked red from this age.", placeholder: "3" },
  schedule: {
    group: "When reminders go out",
    label: "Reminders",
    options: [
      { value: "times", label: "At set times" },
      { value: "hourly", label: "Every hour of the working day" },
    ],
  },
  times: {
    group: "When reminders go out",
    label: "Times",
    help: "24-hour times within the working day, in the time zone below.",
    placeholder: "09:30, 14:00",
  },
  weekdays: {
    group: "When reminders go out",
    label: "Days",
    options: WEEKDAYS.map((label, i) => ({ value: i + 1, label })),
  },
  workdayStart: { group: "When reminders go out", label: "Working day starts", placeholder: "09:00" },
  workdayEnd: { group: "When reminders go out", label: "Working day ends", placeholder: "17:00" },
  timeZone: { group: "When reminders go out", label: "Time zone", help: "An IANA time zone name.", placeholder: "Europe/Berlin" },
  slackWebhookUrl: {
    group: "Where reminders go",
    label: "Slack incoming webhook URL",
    help: "Stored encrypted; it is never shown again.",
    placeholder: "https://hooks.slack.com/services/…",
  },
  teamsWebhookUrl: { group: "Where reminders go", label: "Microsoft Teams webhook URL", help: "Stored encrypted; it is never shown again." },
  googleChatWebhookUrl: {
    group: "Where reminders go",
    label: "Google Chat webhook URL",
    help: "Stored encrypted; it is never shown again.",
    placeholder: "https://chat.googleapis.com/v1/spaces/…",
  },
};

/** The review radar checklist: reminders on and saved; a chat webhook; a pull request event of this repository handled. */
export function reviewRadarSetup(facts: SetupFacts<ReviewRadarSettings>): SetupStep[] {
  const chat = REVIEW_RADAR_SECRETS.some((k) => Boolean(facts.settings[k]));
  return [
    turnedOnStep(facts, "Turn reminders on and save"),
    {
      id: "chat",
      label: "Add a Slack, Microsoft Teams or Google Chat webhook",
      done: chat,
      ...(chat ? {} : { detail: "Paste one below and save; then Send test reminder." }),
    },
    deliveryStep(facts, "A pull request event of this repository arrives", "Waiting for the next pull request to be opened or updated."),
  ];
}

export const reviewRadarDefinition = defineIntegration<ReviewRadarSettings>({
  id: "review-radar",
  title: "Review radar",
  description: "Chat reminders about pull requests waiting for review. The sidebar panel is always on; its settings are here too.",
  schema: ReviewRadarSettingsSchema,
  secretFields: REVIEW_RADAR_SECRETS,
  outboundUrls: REVIEW_RADAR_SECRETS,
  fields: REVIEW_RADAR_FIELDS,
  groups: REVIEW_RADAR_GROUPS,
  groupsWhenOff: ["What to report"],
  setup: reviewRadarSetup,
  actions: {
    testReminder: {
      label: "Send test reminder",
      run: (ctx) => sendTestReminder(ctx),
    },
  },
});
