/**
 * The permissions the customer's role needs for "Connect EventBridge" / "Remove EventBridge wiring"
 * (shown on the settings page). The role's trust policy must require the installation's ExternalId.
 */
export function iamPolicyFor(invokeRoleArn: string): Record<string, unknown> {
  const statements: Array<Record<string, unknown>> = [
    {
      Sid: "BuildkiteStatusWiring",
      Effect: "Allow",
      Action: [
        "events:CreateConnection",
        "events:UpdateConnection",
        "events:DescribeConnection",
        "events:DeleteConnection",
        "events:CreateApiDestination",
        "events:UpdateApiDestination",
        "events:DescribeApiDestination",
        "events:DeleteApiDestination",
        "events:PutRule",
        "events:DescribeRule",
        "events:DeleteRule",
        "events:PutTargets",
        "events:ListTargetsByRule",
        "events:RemoveTargets",
      ],
      Resource: "*",
    },
    {
      Sid: "ConnectionSecret",
      Effect: "Allow",
      Action: ["secretsmanager:CreateSecret", "secretsmanager:UpdateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue"],
      Resource: "arn:aws:secretsmanager:*:*:secret:events!connection/*",
    },
  ];
  if (invokeRoleArn) {
    statements.push({
      Sid: "PassInvokeRole",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: invokeRoleArn,
      Condition: { StringEquals: { "iam:PassedToService": "events.amazonaws.com" } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The trust policy of the role EventBridge assumes to invoke the API destination (`invokeRoleArn`):
 * events.amazonaws.com, only for this account's rule `ruleName` on the partner bus (aws:SourceAccount
 * and aws:SourceArn, the confused-deputy guard: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html).
 * The account and partition come from the invoke role's ARN (else the wiring role's).
 */
export function invokeRoleTrustPolicy(
  s: { awsRegion: string; awsRoleArn: string; invokeRoleArn: string; eventBusName: string },
  ruleName: string,
): Record<string, unknown> {
  const arn = /^arn:(aws[a-z-]*):iam::(\d{12}):/.exec(s.invokeRoleArn || s.awsRoleArn);
  const partition = arn?.[1] ?? "aws";
  const account = arn?.[2] ?? "<account-id>";
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": account },
          ArnEquals: {
            "aws:SourceArn": `arn:${partition}:events:${s.awsRegion || "<region>"}:${account}:rule/${s.eventBusName || "<partner-event-bus>"}/${ruleName}`,
          },
        },
      },
    ],
  };
}
