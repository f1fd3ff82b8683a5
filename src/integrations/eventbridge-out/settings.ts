import { eventSource } from "./source";
import { z } from "zod";
import { ROLE_ARN } from "../../aws/clients";
import { externalIdFor } from "../../aws/external-id";
import { defineIntegration, type FieldMeta, type SetupFacts, type SetupStep } from "../../settings/registry";
import { deliveryStep, turnedOnStep } from "../../settings/setup-steps";
import { sendTestEvent } from "./test-event";

/** The Bitbucket event families that can be forwarded. */
export const FORWARDABLE = ["push", "pull_request", "commit_status"] as const;
export type Forwardable = (typeof FORWARDABLE)[number];

/** A bus name (custom or partner bus, which may contain "/") or a bus ARN. */
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
export const BUS_ARN = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/([/.\-_A-Za-z0-9]{1,256})$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

export const EventBridgeOutSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Which Bitbucket events go to the bus. */
    eventTypes: z.array(z.enum(FORWARDABLE)).max(FORWARDABLE.length).default([...FORWARDABLE]),
    /** The customer's bus: a name or an ARN. */
    eventBus: z
      .string()
      .trim()
      .max(512)
      .refine((v) => v === "" || BUS_NAME.test(v) || BUS_ARN.test(v), "must be an event bus name or ARN")
      .default(""),
    region: z.string().trim().regex(REGION, "must be an AWS region such as eu-west-1").default("us-east-1"),
    /** The IAM role the app assumes (with this installation's ExternalId) to call PutEvents. */
    roleArn: z
      .string()
      .trim()
      .refine((v) => v === "" || ROLE_ARN.test(v), "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
      .default(""),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.enabled && !s.eventBus) ctx.addIssue({ code: "custom", path: ["eventBus"], message: "is required when EventBridge out is on" });
    if (s.enabled && !s.roleArn) ctx.addIssue({ code: "custom", path: ["roleArn"], message: "is required when EventBridge out is on" });
    const arn = BUS_ARN.exec(s.eventBus);
    if (arn && arn[1] !== s.region) ctx.addIssue({ code: "custom", path: ["region"], message: `must match the bus ARN's region (${arn[1]})` });
  });

export type EventBridgeOutSettings = z.infer<typeof EventBridgeOutSchema>;

declare module "../../settings/registry" {
  interface IntegrationSettingsMap {
    "eventbridge-out": EventBridgeOutSettings;
  }
}

/** The ARN of the bus PutEvents writes to (for the IAM policy shown to the admin). */
export function busArn(s: EventBridgeOutSettings): string {
  if (BUS_ARN.test(s.eventBus)) return s.eventBus;
  const account = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(s.roleArn)?.[1] ?? "<account-id>";
  return `arn:aws:events:${s.region}:${account}:event-bus/${s.eventBus || "<bus-name>"}`;
}

/** How the settings page groups and explains the EventBridge out fields. */
export const EVENTBRIDGE_OUT_GROUPS = ["What to report", "AWS wiring"] as const;

export const EVENTBRIDGE_OUT_FIELDS: Partial<Record<keyof EventBridgeOutSettings, FieldMeta>> = {
  eventTypes: {
    group: "What to report",
    label: "Events to forward",
    help: "Each Bitbucket event of these kinds becomes one EventBridge event on your bus.",
    options: [
      { value: "push", label: "Pushes (commits, new branches and tags)" },
      { value: "pull_request", label: "Pull requests (created, updated, approved, merged, declined)" },
      { value: "commit_status", label: "Build statuses (created and updated)" },
    ],
  },
  eventBus: {
    group: "AWS wiring",
    label: "Event bus",
    help: "The name or ARN of the bus in your account; an ARN also fixes the region.",
    placeholder: "relay-events or arn:aws:events:eu-west-1:123456789012:event-bus/relay-events",
  },
  region: { group: "AWS wiring", label: "AWS region", help: "The bus's region.", placeholder: "eu-west-1" },
  roleArn: {
    group: "AWS wiring",
    label: "IAM role the app assumes",
    help: "Its trust policy names this app with the ExternalId below; its permissions policy allows events:PutEvents on the bus.",
    placeholder: "arn:aws:iam::123456789012:role/relay-eventbridge-out",
  },
};

/** The EventBridge out checklist: on and saved (bus and role are required then); an event of this repository forwarded. */
export function eventBridgeOutSetup(facts: SetupFacts<EventBridgeOutSettings>): SetupStep[] {
  return [
    turnedOnStep(facts, "Set the bus and the role, turn it on and save"),
    deliveryStep(facts, "Send a test event, then push to this repository", "Waiting for the first forwarded event of this repository."),
  ];
}

export const eventBridgeOut = defineIntegration<EventBridgeOutSettings>({
  id: "eventbridge-out",
  title: "EventBridge out",
  description: "Forwards this repository's Bitbucket events to an Amazon EventBridge bus in your AWS account.",
  schema: EventBridgeOutSchema,
  secretFields: [],
  fields: EVENTBRIDGE_OUT_FIELDS,
  groups: EVENTBRIDGE_OUT_GROUPS,
  setup: eventBridgeOutSetup,
  async copyValues({ services, installation, settings }) {
    const externalId = await externalIdFor(services.installations, installation.id);
    const policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "events:PutEvents", Resource: busArn(settings) }],
    };
    return [
      { label: "ExternalId (the role's trust policy condition sts:ExternalId)", value: externalId },
      { label: "Permissions policy for the role", value: JSON.stringify(policy, null, 2), multiline: true },
      { label: "Event source (Source field of the events)", value: eventSource(services.config.appKey, installation) },
    ];
  },
  actions: {
    testEvent: {
      label: "Send test event",
      run: (ctx) => sendTestEvent(ctx),
    },
  },
});
