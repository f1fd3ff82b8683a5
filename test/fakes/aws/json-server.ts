import http from "node:http";
import type { AddressInfo } from "node:net";

/** An error as AWS JSON protocols send it: `{"__type": "...", "message": "..."}` with an HTTP status. */
export class AwsFakeError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RecordedAwsCall {
  operation: string;
  input: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  status: number;
}

export type AwsOperation = (input: Record<string, unknown>, headers: http.IncomingHttpHeaders) => unknown | Promise<unknown>;

export interface InjectRule {
  operation: string;
  type: string;
  status: number;
  message?: string;
  times?: number;
}

/**
 * A local endpoint speaking an AWS JSON protocol (awsJson1_0 / awsJson1_1): `POST /`, the operation in
 * `X-Amz-Target: <prefix>.<Operation>`, the SigV4 credential scope naming the service. Real SDK
 * clients talk to it through `AWS_ENDPOINT_URL_<SERVICE>` or an explicit `endpoint`.
 */
export class AwsJsonServer {
  readonly calls: RecordedAwsCall[] = [];
  private readonly injected: InjectRule[] = [];
  private server!: http.Server;
  url = "";

  constructor(
    private readonly opts: { protocol: "1.0" | "1.1"; targetPrefix: string; service: string; operations: Record<string, AwsOperation> },
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  inject(rule: InjectRule): void {
    this.injected.push({ times: 1, ...rule });
  }

  callsOf(operation: string): RecordedAwsCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private send(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "content-type": `application/x-amz-json-${this.opts.protocol}`, "x-amzn-requestid": `req-${Date.now()}` });
    res.end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const [prefix, operation = ""] = target.split(".");
    const record = (status: number, input: Record<string, unknown>) =>
      this.calls.push({ operation, input, headers: req.headers, status });
    if (req.method !== "POST" || prefix !== this.opts.targetPrefix) {
      record(400, {});
      return this.send(res, 400, { __type: "UnknownOperationException", message: `unknown target ${target}` });
    }
    if (req.headers["content-type"] !== `application/x-amz-json-${this.opts.protocol}`) {
      record(400, {});
      return this.send(res, 400, { __type: "SerializationException", message: "wrong content type" });
    }
    const auth = String(req.headers.authorization ?? "");
    if (!auth.includes(`/${this.opts.service}/aws4_request`)) {
      record(403, {});
      return this.send(res, 403, { __type: "InvalidSignatureException", message: "missing SigV4 signature for this service" });
    }
    let input: Record<string, unknown>;
    try {
      input = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
    } catch {
      record(400, {});
      return this.send(res, 400, { __type: "SerializationException", message: "body is not JSON" });
    }
    const rule = this.injected.find((r) => r.operation === operation && (r.times ?? 0) > 0);
    if (rule) {
      rule.times = (rule.times ?? 1) - 1;
      record(rule.status, input);
      return this.send(res, rule.status, { __type: rule.type, message: rule.message ?? "injected" });
    }
    const op = this.opts.operations[operation];
    if (!op) {
      record(400, input);
      return this.send(res, 400, { __type: "UnknownOperationException", message: `unsupported ${operation}` });
    }
    try {
      const out = await op(input, req.headers);
      record(200, input);
      this.send(res, 200, out ?? {});
    } catch (err) {
      if (err instanceof AwsFakeError) {
        record(err.status, input);
        return this.send(res, err.status, { __type: err.type, message: err.message });
      }
      record(500, input);
      this.send(res, 500, { __type: "InternalException", message: String(err) });
    }
  }
}

/** What every AWS service fake built on AwsJsonServer offers: its URL, recorded calls, fault injection. */
export abstract class AwsServiceFake {
  abstract readonly server: AwsJsonServer;

  get url(): string {
    return this.server.url;
  }

  get calls(): RecordedAwsCall[] {
    return this.server.calls;
  }

  callsOf(operation: string): RecordedAwsCall[] {
    return this.server.callsOf(operation);
  }

  /** A whole-call error for the next call(s) of an operation (e.g. InternalException 500, ThrottlingException 400). */
  inject(rule: InjectRule): void {
    this.server.inject(rule);
  }
}
