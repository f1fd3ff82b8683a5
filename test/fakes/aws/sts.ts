import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

/**
 * STS AssumeRole answered locally (awsQuery protocol: form body in, XML out). Only roles registered
 * with `allowRole` and the matching ExternalId are granted, as a customer's trust policy would; any
 * other call is 403 AccessDenied with STS's text ("User: <caller> is not authorized to perform:
 * sts:AssumeRole on resource: <role>"), the same for a wrong ExternalId, an untrusting or a missing role.
 */
export class FakeSts {
  readonly calls: Array<{ roleArn: string; externalId: string | null; granted: boolean }> = [];
  private readonly roles = new Map<string, string>();
  private server!: http.Server;
  url = "";
  /** The app's own identity, named in AccessDenied as STS names the caller. */
  callerArn = "arn:aws:iam::111111111111:user/bitbucket-relay";

  allowRole(roleArn: string, externalId: string): void {
    this.roles.set(roleArn, externalId);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    const xml = (status: number, body: string) => {
      res.writeHead(status, { "content-type": "text/xml" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
    };
    if (form.get("Action") !== "AssumeRole") {
      return xml(400, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>unsupported</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
    }
    const roleArn = form.get("RoleArn") ?? "";
    const externalId = form.get("ExternalId");
    const granted = this.roles.has(roleArn) && this.roles.get(roleArn) === externalId;
    this.calls.push({ roleArn, externalId, granted });
    if (!granted) {
      return xml(403, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: ${this.callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
    }
    const session = form.get("RoleSessionName") ?? "s";
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    xml(
      200,
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA${randomBytes(8).toString("hex").toUpperCase()}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString("hex")}</SecretAccessKey><SessionToken>${randomBytes(24).toString("base64")}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROATEST:${session}</AssumedRoleId><Arn>${roleArn.replace(":iam:", ":sts:").replace(":role/", ":assumed-role/")}/${session}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  }
}
