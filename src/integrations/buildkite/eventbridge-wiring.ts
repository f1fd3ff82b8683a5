import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DeleteRuleCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
  type Target,
} from "@aws-sdk/client-eventbridge";
import { awsClientConfig, classifyAwsError } from "../../aws/clients";
import { API_KEY_HEADER } from "./credentials";
import { EVENTBRIDGE_BUILD_DETAIL_TYPES } from "./payloads";

/**
 * The customer's EventBridge resources that deliver Buildkite build events to the app: a Connection
 * (API_KEY authorization carrying the installation's key), an API destination (the app's URL), a rule
 * on the Buildkite partner bus matching the build detail-types, and its target. Created or updated
 * idempotently (same names every time), removed on request. deploy/buildkite-eventbridge.yaml
 * creates the same resources with CloudFormation.
 */
export interface WiringInput {
  installationId: string;
  region: string;
  roleArn: string;
  externalId: string;
  eventBusName: string;
  /** The role EventBridge assumes to invoke the API destination. */
  invokeRoleArn?: string;
  deadLetterQueueArn?: string;
  endpoint: string;
  apiKey: string;
}

export interface WiringResult {
  connectionArn: string;
  apiDestinationArn: string;
  ruleArn: string;
  created: string[];
  updated: string[];
}

export const TARGET_ID = "bitbucket-relay-api-destination";
/** EventBridge's maximum; Buildkite sends a few events per build. */
export const INVOCATION_RATE_LIMIT = 300;

/** Resource names, unique per installation (≤ 64 characters, [.-_A-Za-z0-9]). */
export function resourceName(installationId: string): string {
  return `bitbucket-relay-buildkite-${installationId}`.slice(0, 64);
}

export function buildEventPattern(): string {
  return JSON.stringify({ source: [{ prefix: "aws.partner/buildkite.com" }], "detail-type": [...EVENTBRIDGE_BUILD_DETAIL_TYPES] });
}

function isNotFound(err: unknown): boolean {
  return (err as { name?: string })?.name === "ResourceNotFoundException";
}

async function orNull<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

function clientFor(input: Pick<WiringInput, "region" | "roleArn" | "externalId">): EventBridgeClient {
  return new EventBridgeClient(
    awsClientConfig({ region: input.region, roleArn: input.roleArn, externalId: input.externalId, sessionName: "bitbucket-relay-buildkite" }),
  );
}

export async function wireEventBridge(input: WiringInput): Promise<WiringResult> {
  const client = clientFor(input);
  const name = resourceName(input.installationId);
  const created: string[] = [];
  const updated: string[] = [];
  try {
    const auth = { ApiKeyAuthParameters: { ApiKeyName: API_KEY_HEADER, ApiKeyValue: input.apiKey } };
    const description = "Bitbucket Relay: Buildkite build statuses";
    const connection = await orNull(() => client.send(new DescribeConnectionCommand({ Name: name })));
    let connectionArn: string | undefined;
    if (connection) {
      const out = await client.send(new UpdateConnectionCommand({ Name: name, Description: description, AuthorizationType: "API_KEY", AuthParameters: auth }));
      connectionArn = out.ConnectionArn ?? connection.ConnectionArn;
      updated.push("connection");
    } else {
      const out = await client.send(new CreateConnectionCommand({ Name: name, Description: description, AuthorizationType: "API_KEY", AuthParameters: auth }));
      connectionArn = out.ConnectionArn;
      created.push("connection");
    }
    if (!connectionArn) throw new Error("EventBridge returned no connection ARN");

    const destination = await orNull(() => client.send(new DescribeApiDestinationCommand({ Name: name })));
    const destinationParams = {
      Name: name,
      Description: description,
      ConnectionArn: connectionArn,
      InvocationEndpoint: input.endpoint,
      HttpMethod: "POST" as const,
      InvocationRateLimitPerSecond: INVOCATION_RATE_LIMIT,
    };
    let apiDestinationArn: string | undefined;
    if (destination) {
      apiDestinationArn = (await client.send(new UpdateApiDestinationCommand(destinationParams))).ApiDestinationArn ?? destination.ApiDestinationArn;
      updated.push("apiDestination");
    } else {
      apiDestinationArn = (await client.send(new CreateApiDestinationCommand(destinationParams))).ApiDestinationArn;
      created.push("apiDestination");
    }
    if (!apiDestinationArn) throw new Error("EventBridge returned no API destination ARN");

    const rule = await client.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: input.eventBusName,
        EventPattern: buildEventPattern(),
        State: "ENABLED",
        Description: description,
      }),
    );
    if (!rule.RuleArn) throw new Error("EventBridge returned no rule ARN");
    updated.push("rule");

    const target: Target = {
      Id: TARGET_ID,
      Arn: apiDestinationArn,
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
      ...(input.invokeRoleArn ? { RoleArn: input.invokeRoleArn } : {}),
      ...(input.deadLetterQueueArn ? { DeadLetterConfig: { Arn: input.deadLetterQueueArn } } : {}),
    };
    const targets = await client.send(new PutTargetsCommand({ Rule: name, EventBusName: input.eventBusName, Targets: [target] }));
    if (targets.FailedEntryCount) {
      const entry = targets.FailedEntries?.[0];
      throw new Error(`PutTargets failed: ${entry?.ErrorCode ?? ""} ${entry?.ErrorMessage ?? ""}`.trim());
    }
    updated.push("target");
    return { connectionArn, apiDestinationArn, ruleArn: rule.RuleArn, created, updated };
  } catch (err) {
    throw classifyAwsError(err, { service: "eventbridge", region: input.region, roleArn: input.roleArn, eventBus: input.eventBusName });
  } finally {
    client.destroy();
  }
}

/** Removes target, rule, API destination and connection; what is already gone is skipped. */
export async function unwireEventBridge(input: Pick<WiringInput, "installationId" | "region" | "roleArn" | "externalId" | "eventBusName">): Promise<{ removed: string[] }> {
  const client = clientFor(input);
  const name = resourceName(input.installationId);
  const removed: string[] = [];
  try {
    const targets = await orNull(() => client.send(new ListTargetsByRuleCommand({ Rule: name, EventBusName: input.eventBusName })));
    const ids = (targets?.Targets ?? []).map((t) => t.Id).filter((id): id is string => Boolean(id));
    if (ids.length) {
      await orNull(() => client.send(new RemoveTargetsCommand({ Rule: name, EventBusName: input.eventBusName, Ids: ids })));
      removed.push("target");
    }
    if (targets) {
      await orNull(() => client.send(new DeleteRuleCommand({ Name: name, EventBusName: input.eventBusName })));
      removed.push("rule");
    }
    if (await orNull(() => client.send(new DeleteApiDestinationCommand({ Name: name })))) removed.push("apiDestination");
    if (await orNull(() => client.send(new DeleteConnectionCommand({ Name: name })))) removed.push("connection");
    return { removed };
  } catch (err) {
    throw classifyAwsError(err, { service: "eventbridge", region: input.region, roleArn: input.roleArn, eventBus: input.eventBusName });
  } finally {
    client.destroy();
  }
}
