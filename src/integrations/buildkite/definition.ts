import { defineIntegration, type IntegrationPageContext } from "../../settings/registry";
import { externalIdFor } from "../../aws/external-id";
import {
  API_KEY_HEADER,
  WEBHOOK_TOKEN_SECRET,
  endApiKeyGrace,
  ensureApiKey,
  ensureWebhookToken,
  eventBridgeEndpoint,
  previousApiKey,
  rotateApiKey,
  rotateSecret,
  webhookEndpoint,
} from "./credentials";
import { BUILDKITE_FIELDS, BUILDKITE_GROUPS, BuildkiteSettingsSchema, buildkiteSetup, type BuildkiteSettings } from "./settings";
import { resourceName, unwireEventBridge, wireEventBridge } from "./eventbridge-wiring";
import { iamPolicyFor, invokeRoleTrustPolicy } from "./iam-policy";

type Ctx = IntegrationPageContext<BuildkiteSettings>;

function awsMissing(s: BuildkiteSettings): string | null {
  const missing = [
    !s.awsRegion && "AWS region",
    !s.awsRoleArn && "IAM role ARN",
    !s.eventBusName && "Buildkite partner event bus name",
  ].filter(Boolean);
  return missing.length ? `Set ${missing.join(", ")} first` : null;
}

async function wire(ctx: Ctx) {
  const s = ctx.settings;
  const missing = awsMissing(s);
  if (missing) return { ok: false, message: missing };
  try {
    const result = await wireEventBridge({
      installationId: ctx.installation.id,
      region: s.awsRegion,
      roleArn: s.awsRoleArn,
      externalId: await externalIdFor(ctx.services.installations, ctx.installation.id),
      eventBusName: s.eventBusName,
      invokeRoleArn: s.invokeRoleArn || undefined,
      deadLetterQueueArn: s.deadLetterQueueArn || undefined,
      endpoint: eventBridgeEndpoint(ctx.services, ctx.installation.id),
      apiKey: await ensureApiKey(ctx.services, ctx.installation.id),
    });
    ctx.services.log.info({ installationId: ctx.installation.id, actor: ctx.actor, created: result.created }, "Buildkite EventBridge wiring applied");
    return {
      ok: true,
      message: result.created.length ? `EventBridge connected (created: ${result.created.join(", ")})` : "EventBridge wiring is up to date",
      detail: result,
    };
  } catch (err) {
    return { ok: false, message: `EventBridge wiring failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * The Buildkite integration on the settings page: the values to paste into Buildkite / AWS (API key
 * and webhook token are sensitive), and actions to rotate them and to wire or unwire EventBridge.
 */
export const buildkiteDefinition = defineIntegration<BuildkiteSettings>({
  id: "buildkite",
  title: "Buildkite build statuses",
  description: "Shows Buildkite builds (EventBridge or webhooks) as build statuses on commits and pull requests.",
  schema: BuildkiteSettingsSchema,
  secretFields: [],
  // The explicit mapping names "this repository": a workspace default would map every repository.
  repositoryOnly: ["pipelines"],
  fields: BUILDKITE_FIELDS,
  groups: BUILDKITE_GROUPS,
  inboundSources: ["buildkite", "eventbridge"],
  setup: buildkiteSetup,
  async copyValues(ctx) {
    const { services, installation, settings } = ctx;
    const externalId = await externalIdFor(services.installations, installation.id);
    const previous = await previousApiKey(services, installation.id);
    return [
      { label: "EventBridge API destination endpoint", value: eventBridgeEndpoint(services, installation.id) },
      { label: "API key header name", value: API_KEY_HEADER },
      { label: "API key", value: await ensureApiKey(services, installation.id), sensitive: true },
      ...(previous ? [{ label: "Previous API key still accepted until (UTC)", value: new Date(previous.until).toISOString() }] : []),
      { label: "Buildkite webhook URL", value: webhookEndpoint(services, installation.id) },
      { label: "Buildkite webhook token", value: await ensureWebhookToken(services, installation.id), sensitive: true },
      { label: "AWS ExternalId", value: externalId },
      { label: "EventBridge resource name", value: resourceName(installation.id) },
      { label: "IAM policy for the role", value: JSON.stringify(iamPolicyFor(settings.invokeRoleArn), null, 2), multiline: true },
      {
        label: "Trust policy for the invoke role (EventBridge, for this rule only)",
        value: JSON.stringify(invokeRoleTrustPolicy(settings, resourceName(installation.id)), null, 2),
        multiline: true,
      },
    ];
  },
  actions: {
    rotateApiKey: {
      label: "Rotate EventBridge API key",
      async run(ctx) {
        const { previousValidUntil } = await rotateApiKey(ctx.services, ctx.installation.id);
        ctx.services.log.info({ installationId: ctx.installation.id, actor: ctx.actor }, "Buildkite EventBridge API key rotated");
        const grace = previousValidUntil
          ? ` The previous key is still accepted until ${new Date(previousValidUntil).toISOString()} (UTC), so that events in flight are not refused.`
          : "";
        if (awsMissing(ctx.settings)) {
          return { ok: true, message: `API key rotated. Update the EventBridge connection (or the stack's ApiKey) with the new key.${grace}` };
        }
        const pushed = await wire(ctx);
        return pushed.ok
          ? { ok: true, message: `API key rotated and the EventBridge connection updated.${grace}` }
          : { ok: false, message: `API key rotated, but updating the connection failed: ${pushed.message}.${grace}` };
      },
    },
    endApiKeyGrace: {
      label: "Stop accepting the previous API key now",
      async run(ctx) {
        const previous = await previousApiKey(ctx.services, ctx.installation.id);
        await endApiKeyGrace(ctx.services, ctx.installation.id);
        ctx.services.log.info({ installationId: ctx.installation.id, actor: ctx.actor }, "Buildkite EventBridge previous API key revoked");
        return { ok: true, message: previous ? "The previous API key is no longer accepted." : "There was no previous API key in its grace period." };
      },
    },
    rotateWebhookToken: {
      label: "Rotate Buildkite webhook token",
      async run(ctx) {
        await rotateSecret(ctx.services, ctx.installation.id, WEBHOOK_TOKEN_SECRET);
        ctx.services.log.info({ installationId: ctx.installation.id, actor: ctx.actor }, "Buildkite webhook token rotated");
        return { ok: true, message: "Webhook token rotated. Paste the new token into the Buildkite webhook: the old one no longer works." };
      },
    },
    connectEventBridge: {
      label: "Connect EventBridge",
      run: wire,
    },
    disconnectEventBridge: {
      label: "Remove EventBridge wiring",
      async run(ctx) {
        const s = ctx.settings;
        const missing = awsMissing(s);
        if (missing) return { ok: false, message: missing };
        try {
          const { removed } = await unwireEventBridge({
            installationId: ctx.installation.id,
            region: s.awsRegion,
            roleArn: s.awsRoleArn,
            externalId: await externalIdFor(ctx.services.installations, ctx.installation.id),
            eventBusName: s.eventBusName,
          });
          return { ok: true, message: removed.length ? `Removed: ${removed.join(", ")}` : "Nothing to remove", detail: { removed } };
        } catch (err) {
          return { ok: false, message: `Removing the EventBridge wiring failed: ${err instanceof Error ? err.message : String(err)}` };
        }
      },
    },
  },
});
