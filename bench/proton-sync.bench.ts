/**
 * Proton sync on the compiled server: a push of a commit whose Bitbucket archive is BENCH_MIB (1024)
 * MiB goes through the running app (`node dist/main.js`, every integration, NODE_ENV=production) —
 * webhook → proton.sync job → archive download from the fake Bitbucket → tee → tar scan + multipart
 * upload to s3rver → template version registered with the fake Proton. Figures: RSS of the app
 * before the push and its peak until the job settled, time, throughput, the job's outcome.
 */
import { request } from "undici";
import { FakeBitbucket } from "../test/fakes/bitbucket";
import { FakeS3 } from "../test/fakes/s3";
import { FakeProton } from "../test/fakes/aws/proton";
import { Database } from "../src/db/database";
import { QueryTypes } from "sequelize";
import { startAppProcess, startNodeFlags } from "./lib/app-process";
import { freshDatabase } from "./lib/database";
import { generatedArchive } from "./lib/archive";
import { newTenant, pushWebhook, randomSha } from "./lib/payloads";
import { fmt, type BenchOptions, type BenchResult } from "./lib/report";
import { RssSampler, rssOf } from "./lib/rss";

const MIB = 1024 * 1024;
const BUCKET = "bench-proton";

interface JobRow {
  status: string;
  last_error: string | null;
}

export async function run(o: BenchOptions): Promise<BenchResult> {
  const totalMiB = Number(process.env.BENCH_MIB ?? 1024);
  const fake = await FakeBitbucket.start();
  const s3 = await FakeS3.start([BUCKET]);
  const proton = await FakeProton.start(s3.client());
  const db = await freshDatabase("SQLite");
  const tenant = newTenant();
  const commit = randomSha();
  let archived = 0;
  const app = await startAppProcess(
    fake,
    tenant,
    db,
    {
      AWS_ENDPOINT_URL_S3: s3.directUrl,
      AWS_ENDPOINT_URL_PROTON: proton.url,
      RELAY_S3_FORCE_PATH_STYLE: "true",
      // The archive is BENCH_MIB of incompressible bytes plus tar/gzip framing: above the default
      // 1024 MiB guard. The bench measures streaming, not the guard (test/integrations/proton covers it).
      ARCHIVE_MAX_MIB: String(totalMiB * 2),
      ARCHIVE_MAX_SECONDS: String(Math.max(300, totalMiB)),
      RELAY_AWS_DEFAULT_CREDENTIALS: "true",
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
      AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
    },
    { proton: { enabled: true, bucket: BUCKET, prefix: "relay", region: "us-east-1", registerWithProton: true, createTemplates: true } },
  );
  fake.setArchive(tenant.workspace.slug, tenant.repo.slug, commit, () => generatedArchive(totalMiB, commit).on("data", (c: Buffer) => (archived += c.length)));
  const watch = Database.open(db.config);
  try {
    const base = rssOf(app.pid);
    o.log(`  ${totalMiB} MiB archive through the Proton sync of the compiled server…`);
    const rss = new RssSampler(app.pid, 100);
    const started = performance.now();
    const push = pushWebhook(tenant, commit);
    const res = await request(`${app.url}${push.path}`, { method: "POST", headers: push.headers, body: push.body });
    await res.body.text();
    if (res.statusCode !== 204) throw new Error(`push answered ${res.statusCode}`);
    let job: JobRow | undefined;
    for (;;) {
      const rows = await watch.sequelize.query<JobRow>("SELECT status, last_error FROM jobs WHERE handler = 'proton.sync'", { type: QueryTypes.SELECT });
      job = rows.find((r) => ["done", "dead", "ignored"].includes(r.status)) ?? (rows.some((r) => r.last_error) ? rows[0] : undefined);
      if (job) break;
      if (app.proc.exitCode !== null) throw new Error(`app exited ${app.proc.exitCode}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    const peak = rss.stop();
    const versions = proton.template("environment", "env")?.versions.length ?? 0;
    return {
      title: "Proton sync: a pushed commit's archive through the compiled server",
      rows: [
        {
          "archive MiB": fmt(archived / MIB, 0),
          "job": job.status + (job.last_error ? ` (${job.last_error.slice(0, 80)})` : ""),
          "template versions registered": versions,
          seconds: fmt(seconds, 1),
          "MiB/s": fmt(archived / MIB / seconds, 1),
          "RSS before the push MiB": fmt(base?.rssMiB, 0),
          "peak RSS MiB": fmt(peak, 0),
        },
      ],
      notes: [
        `App: \`${["node", ...startNodeFlags(), "dist/main.js"].join(" ")}\` (npm start's command) in its own process on SQLite, Proton switched on for the repository (default AWS credentials, s3rver and the fake Proton as endpoints); push webhook signed as Bitbucket does.`,
        "Archive: generated as it is served (an environment template folder, then 16 MiB files of incompressible bytes, gzip level 1); peak RSS sampled every 100 ms from /proc/<pid>/status (VmRSS, VmHWM).",
      ],
    };
  } finally {
    await watch.close();
    await app.stop();
    await Promise.allSettled([fake.close(), s3.close(), proton.close()]);
  }
}
