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
