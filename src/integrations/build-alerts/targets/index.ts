import type { TargetId } from "../settings";
import { sendAlertOps } from "./alertops";
import { sendPagerDuty } from "./pagerduty";
import { sendWebhook } from "./webhook";
import type { AlertTarget } from "./types";

export const TARGET_SENDERS: Record<TargetId, AlertTarget> = {
  alertops: sendAlertOps,
  pagerduty: sendPagerDuty,
  webhook: sendWebhook,
};

export const TARGET_TITLES: Record<TargetId, string> = {
  alertops: "AlertOps",
  pagerduty: "PagerDuty",
  webhook: "Webhook",
};
