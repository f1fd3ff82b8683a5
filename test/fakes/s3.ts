import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (opts: { address: string; port: number; directory: string; silent: boolean; resetOnClose?: boolean }) => S3rverInstance;
// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver") as S3rverCtor;

export interface S3Request {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The access key the request was signed with (before the proxy swapped it for s3rver's). */
  accessKeyId: string | null;
  status: number;
}

export interface S3Fault {
  method?: string;
  path?: RegExp;
  /** Matched against the query string (e.g. /partNumber=2/). */
  query?: RegExp;
  status: number;
  code: string;
  /** AWS's text (default "injected"). */
  message?: string;
  times?: number;
}

/** A KMS key as S3 finds it when asked to encrypt with it (SSE-KMS). */
export type KmsKeyState = "enabled" | "disabled" | "pending-deletion" | "denied";

/** An error answer: a fault plus the headers and XML elements some S3 errors carry. */
type Answer = S3Fault & { headers?: Record<string, string>; extra?: string };

const xmlEscape = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * s3rver 3.7.1 behind a recording, fault-injecting proxy. Point the app at `url` (AWS_ENDPOINT_URL_S3)
 * with path-style addressing; clients need `requestChecksumCalculation: WHEN_REQUIRED` for stream
 * PutObject (shared/reference/aws/README.md §2). s3rver keeps no SSE, so assert encryption on the
 * recorded requests' headers. s3rver accepts only its own access key and verifies no V4 signature, so
 * the proxy records the caller's key (e.g. STS-assumed) and forwards the request under s3rver's key.
 * AbortMultipartUpload, which s3rver lacks, is answered by the proxy as S3 does (204).
 */
export class FakeS3 {
  readonly requests: S3Request[] = [];
  /** Multipart uploads created and neither completed nor aborted (S3 keeps, and bills, their parts). */
  readonly openUploads = new Map<string, { bucket: string; key: string }>();
  private readonly faults: S3Fault[] = [];
  /** Buckets that live in a region other than us-east-1 (s3rver's). */
  private readonly regions = new Map<string, string>();
  /** SSE-KMS keys S3 knows; null = KMS not checked (any key id works). */
  private kms: Map<string, KmsKeyState> | null = null;
  private s3rver!: S3rverInstance;
  private proxy!: http.Server;
  private directory = "";
  /** The proxy (what the app talks to). */
  url = "";
  /** s3rver itself (for checks that must not be recorded or faulted). */
  directUrl = "";

  static async start(buckets: string[] = []): Promise<FakeS3> {
    const s = new FakeS3();
    s.directory = fs.mkdtempSync(path.join(os.tmpdir(), "s3rver-"));
    s.s3rver = new S3rver({ address: "127.0.0.1", port: 0, directory: s.directory, silent: true });
    const addr = await s.s3rver.run();
    s.directUrl = `http://127.0.0.1:${addr.port}`;
    s.proxy = http.createServer((req, res) => s.forward(req, res, addr.port));
    await new Promise<void>((r) => s.proxy.listen(0, "127.0.0.1", r));
    s.url = `http://127.0.0.1:${(s.proxy.address() as AddressInfo).port}`;
    for (const b of buckets) await s.client().send(new CreateBucketCommand({ Bucket: b }));
    return s;
  }

  /** A real S3 client straight at s3rver. */
  client(): S3Client {
    return new S3Client({
      region: "us-east-1",
      endpoint: this.directUrl,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  inject(fault: S3Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /**
   * The bucket lives in `region`: a request signed for another region is answered as S3 answers a
   * path-style request at the wrong regional endpoint, 301 PermanentRedirect with the
   * `x-amz-bucket-region` header (HEAD requests get the header and no body).
   */
  placeBucket(bucket: string, region: string): void {
    this.regions.set(bucket, region);
  }

  /**
   * Registers a KMS key; from then on SSE-KMS writes are checked as S3 checks them: an unknown key is
   * 400 KMS.NotFoundException, a disabled one 400 KMS.DisabledException, one pending deletion 400
   * KMS.KMSInvalidStateException, and "denied" a 403 AccessDenied naming kms:GenerateDataKey.
   */
  kmsKey(keyId: string, state: KmsKeyState): void {
    (this.kms ??= new Map()).set(keyId, state);
  }

  requestsTo(method: string, pathRe: RegExp): S3Request[] {
    return this.requests.filter((r) => r.method === method && pathRe.test(r.path));
  }

  async keys(bucket: string, prefix = ""): Promise<Array<{ key: string; size: number }>> {
    const out = await this.client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (out.Contents ?? []).map((c) => ({ key: c.Key!, size: c.Size ?? 0 })).sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async object(bucket: string, key: string): Promise<Buffer> {
    const out = await this.client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.proxy.close(() => r()));
    this.proxy.closeAllConnections();
    await this.s3rver.close();
    fs.rmSync(this.directory, { recursive: true, force: true });
  }

  private regionFault(record: S3Request, auth: string): Answer | null {
    const bucket = record.path.split("/")[1] ?? "";
    const home = this.regions.get(bucket);
    const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(auth)?.[1];
    if (!home || !signedFor || signedFor === home) return null;
    return {
      status: 301,
      code: "PermanentRedirect",
      message: "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.",
      headers: { "x-amz-bucket-region": home },
      extra: `<Endpoint>${bucket}.s3.${home}.amazonaws.com</Endpoint><Bucket>${bucket}</Bucket>`,
    };
  }

  private kmsFault(record: S3Request): S3Fault | null {
    const keyId = record.headers["x-amz-server-side-encryption-aws-kms-key-id"];
    if (!this.kms || typeof keyId !== "string") return null;
    const state = this.kms.get(keyId);
    if (state === "enabled") return null;
    if (state === "disabled") return { status: 400, code: "KMS.DisabledException", message: `${keyId} is disabled.` };
    if (state === "pending-deletion") return { status: 400, code: "KMS.KMSInvalidStateException", message: `${keyId} is pending deletion.` };
    if (state === "denied") {
      return {
        status: 403,
        code: "AccessDenied",
        message: `User: arn:aws:sts::123456789012:assumed-role/relay-proton/bitbucket-relay-proton is not authorized to perform: kms:GenerateDataKey on resource: ${keyId} because no identity-based policy allows the kms:GenerateDataKey action`,
      };
    }
    return { status: 400, code: "KMS.NotFoundException", message: `Invalid keyId ${keyId}` };
  }

  /** CreateMultipartUpload opens an upload (its UploadId read from the answer); CompleteMultipartUpload closes it. */
  private trackMultipart(record: S3Request, up: http.IncomingMessage) {
    if (record.method !== "POST" || (up.statusCode ?? 0) !== 200) return;
    if (record.query.has("uploadId")) {
      this.openUploads.delete(record.query.get("uploadId")!);
      return;
    }
    if (!record.query.has("uploads")) return;
    const [, bucket = "", ...key] = record.path.split("/");
    let xml = "";
    up.on("data", (c: Buffer) => (xml += c.toString("utf8")));
    up.on("end", () => {
      const id = /<UploadId>([^<]+)<\/UploadId>/.exec(xml)?.[1];
      if (id) this.openUploads.set(id, { bucket, key: decodeURIComponent(key.join("/")) });
    });
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, port: number) {
    const u = new URL(req.url ?? "/", "http://x");
    const auth = String(req.headers.authorization ?? "");
    const accessKeyId = /Credential=([^/]+)\//.exec(auth)?.[1] ?? null;
    const record: S3Request = { method: req.method ?? "GET", path: u.pathname, query: u.searchParams, headers: { ...req.headers }, accessKeyId, status: 0 };
    // s3rver only knows its own key and checks no V4 signature: the assumed-role key is swapped for it.
    if (accessKeyId) req.headers.authorization = auth.replace(`Credential=${accessKeyId}/`, "Credential=S3RVER/");
    this.requests.push(record);
    const fault = this.faults.find(
      (f) =>
        (f.times ?? 0) > 0 &&
        (!f.method || f.method === record.method) &&
        (!f.path || f.path.test(record.path)) &&
        (!f.query || f.query.test(u.search)),
    );
    if (fault) fault.times = (fault.times ?? 1) - 1;
    const answer: Answer | null = fault ?? this.regionFault(record, auth) ?? this.kmsFault(record);
    if (answer) {
      req.resume();
      req.on("end", () => {
        record.status = answer.status;
        res.writeHead(answer.status, { "content-type": "application/xml", "x-amz-request-id": "fake", ...(answer.headers ?? {}) });
        if (record.method === "HEAD") return res.end();
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${answer.code}</Code><Message>${xmlEscape(answer.message ?? "injected")}</Message>${answer.extra ?? ""}<RequestId>fake</RequestId><HostId>fake</HostId></Error>`,
        );
      });
      return;
    }
    if (record.method === "DELETE" && u.searchParams.has("uploadId")) {
      // s3rver 3.7.1 has no AbortMultipartUpload (405); S3 answers 204 and drops the parts.
      this.openUploads.delete(u.searchParams.get("uploadId")!);
      req.resume();
      record.status = 204;
      res.writeHead(204);
      res.end();
      return;
    }
    const upstream = http.request(
      { host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        record.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        this.trackMultipart(record, up);
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }
}
