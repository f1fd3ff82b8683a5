/**
 * Streams a generated archive (1 GiB by default) through the Proton sync's whole archive path —
 * Bitbucket download (BitbucketClient.download over HTTP) → tee → tar-stream scan + lib-storage
 * multipart upload to s3rver — and, for comparison, a plain SDK upload of the same bytes (undici body
 * straight into `Upload` with default settings). Each side runs in its own process so that peak RSS is
 * its own. Prints peak RSS and throughput. Not run in CI.
 *
 *   npx tsx bench/archive-stream.ts            # 1 GiB
 *   BENCH_MIB=256 npx tsx bench/archive-stream.ts
 */
import http from "node:http";
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { Upload } from "@aws-sdk/lib-storage";
import { S3Client } from "@aws-sdk/client-s3";
import { FakeS3 } from "../test/fakes/s3";
import { HttpClient } from "../src/http/client";
import { BitbucketClient } from "../src/bitbucket/client";
import { downloadCommitArchive } from "../src/bitbucket/api/archive";
import { archiveAndScan } from "../src/integrations/proton/archive-pipeline";
import { encryptionParams, s3ClientFor, UPLOAD_PART_BYTES, UPLOAD_QUEUE, uploadStream } from "../src/integrations/proton/s3";
import { ARCHIVE_COMMIT as COMMIT, generatedArchive } from "./lib/archive";

const MIB = 1024 * 1024;
const BUCKET = "bench-archive";

interface Figures {
  mode: string;
  bytes: number;
  seconds: number;
  peakRssMiB: number;
  baseRssMiB: number;
}

async function child(mode: "relay" | "plain", archiveUrl: string, s3Url: string): Promise<Figures> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  let bytes = 0;
  if (mode === "relay") {
    process.env.AWS_ENDPOINT_URL_S3 = s3Url;
    process.env.RELAY_S3_FORCE_PATH_STYLE = "true";
    process.env.RELAY_AWS_DEFAULT_CREDENTIALS = "true";
    const http = new HttpClient({ timeoutMs: 60_000, inlineRetries: 0, inlineRetryMaxWaitMs: 0, retry: { baseMs: 100, maxMs: 1000 } });
    const bitbucket = new BitbucketClient(http, archiveUrl, archiveUrl, {
      headers: async () => ({}),
      bearerToken: async () => "bench-token",
      invalidate: () => undefined,
    });
    const s3 = s3ClientFor({ region: "us-east-1", roleArn: "" }, "unused");
    const download = await downloadCommitArchive(bitbucket, "acme", "widgets", COMMIT);
    const out = await archiveAndScan(download.body, (body) => uploadStream(s3, { bucket: BUCKET, key: `relay/${COMMIT}.tar.gz` }, body, encryptionParams({ kmsKeyId: "" })), {
      templatesPath: "",
      maxEntryBytes: 20 * MIB,
      maxTemplateBytes: 200 * MIB,
      // The bench measures streaming, not the limits: a generated random archive of any size passes.
      archive: { maxEntries: 1e9, maxTemplateFolders: 100, maxTemplateFiles: 500, maxBytes: 1e15, maxRatio: 100, ratioGraceBytes: 8 * MIB, maxSeconds: 3600 },
    });
    bytes = out.sizeBytes;
    if (out.scan.folders.length !== 1) throw new Error("the scan missed the template folder");
  } else {
    const s3 = new S3Client({ region: "us-east-1", endpoint: s3Url, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
    const res = await request(`${archiveUrl}/acme/widgets/get/${COMMIT}.tar.gz`);
    const body = Readable.from(res.body).on("data", (c: Buffer) => (bytes += c.length));
    await new Upload({ client: s3, params: { Bucket: BUCKET, Key: `plain/${COMMIT}.tar.gz`, Body: body } }).done();
  }
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  return { mode, bytes, seconds, peakRssMiB: peak / MIB, baseRssMiB: base / MIB };
}

function runChild(mode: string, archiveUrl: string, s3Url: string): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", __filename, `--child=${mode}`, archiveUrl, s3Url], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED" },
    });
    let out = "";
    p.stdout.on("data", (c: Buffer) => (out += c.toString()));
    p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!) as Figures) : reject(new Error(`${mode} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const childArg = process.argv.find((a) => a.startsWith("--child="));
  if (childArg) {
    const [archiveUrl, s3Url] = process.argv.slice(-2) as [string, string];
    const figures = await child(childArg.slice(8) as "relay" | "plain", archiveUrl, s3Url);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    process.exit(0);
  }
  const totalMiB = Number(process.env.BENCH_MIB ?? 1024);
  const s3 = await FakeS3.start([BUCKET]);
  const server = http.createServer((req, res) => {
    if (!req.url?.endsWith(`/get/${COMMIT}.tar.gz`)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/x-gzip" });
    generatedArchive(totalMiB).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const archiveUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log(`archive: ${totalMiB} MiB of generated data (gzip level 1, incompressible), s3rver at ${s3.directUrl}`);
  const rows: Figures[] = [];
  for (const mode of ["relay", "plain"]) rows.push(await runChild(mode, archiveUrl, s3.directUrl));
  console.log("");
  console.log("mode    bytes          seconds  MiB/s   base RSS  peak RSS  (MiB)");
  for (const r of rows) {
    console.log(
      `${r.mode.padEnd(7)} ${String(r.bytes).padEnd(14)} ${r.seconds.toFixed(1).padStart(7)}  ${(r.bytes / MIB / r.seconds).toFixed(1).padStart(6)}  ${r.baseRssMiB.toFixed(0).padStart(8)}  ${r.peakRssMiB.toFixed(0).padStart(8)}`,
    );
  }
  const relay = rows.find((r) => r.mode === "relay")!;
  const plain = rows.find((r) => r.mode === "plain")!;
  const ratio = relay.bytes / relay.seconds / (plain.bytes / plain.seconds);
  console.log(`\nrelay ÷ plain throughput: ${ratio.toFixed(2)} (goal ≥ 0.8)${ratio >= 0.8 ? "" : " ✗"}`);
  console.log(
    `relay = download → tee → sha256 + tar scan + multipart upload (${UPLOAD_PART_BYTES / MIB} MiB parts × ${UPLOAD_QUEUE}); plain = the same bytes into Upload (its defaults: 5 MiB × 4).`,
  );
  server.close();
  await s3.close();
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
