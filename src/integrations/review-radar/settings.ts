import { z } from "zod";
import { defineIntegration } from "../../settings/registry";
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

export const reviewRadarDefinition = defineIntegration<ReviewRadarSettings>({
  id: "review-radar",
  title: "Review radar",
  description: "Pull requests waiting for review in the repository sidebar, and chat reminders on a schedule.",
  schema: ReviewRadarSettingsSchema,
  secretFields: REVIEW_RADAR_SECRETS,
  outboundUrls: REVIEW_RADAR_SECRETS,
  actions: {
    testReminder: {
      label: "Send test reminder",
      run: (ctx) => sendTestReminder(ctx),
    },
  },
});
