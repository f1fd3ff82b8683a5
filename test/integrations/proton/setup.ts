import { randomBytes } from "node:crypto";
import { Op } from "sequelize";
import { Harness } from "../../helpers/harness";
import { bitbucketWebhook, forRepository, waitFor } from "../../helpers/fixtures";
import { pushPayload } from "../../helpers/echo-handler";
import { FakeSts } from "../../fakes/aws/sts";
import { FakeProton } from "../../fakes/aws/proton";
import { FakeEventBridge } from "../../fakes/aws/eventbridge";
import { FakeS3 } from "../../fakes/s3";
import { Job } from "../../../src/models";
import { externalIdFor } from "../../../src/aws/external-id";
import { ProtonSync } from "../../../src/integrations/proton/models";
import type { ProtonSettings } from "../../../src/integrations/proton/settings";

export const BUCKET = "customer-archive";
export const ROLE = "arn:aws:iam::123456789012:role/relay-proton";

export interface ProtonWorld {
  h: Harness;
  s3: FakeS3;
  sts: FakeSts;
  proton: FakeProton;
  events: FakeEventBridge;
  close(): Promise<void>;
}

export const newCommit = () => randomBytes(20).toString("hex");

/**
 * The app, fake Bitbucket, s3rver (behind a recording proxy), STS, Proton and EventBridge, all over real
 * HTTP; the real SDK clients find the fakes through AWS_ENDPOINT_URL_*.
 */
export async function startWorld(settings: Partial<ProtonSettings> = {}, env: Record<string, string> = {}): Promise<ProtonWorld> {
  const saved = { ...process.env };
  const s3 = await FakeS3.start([BUCKET]);
  const sts = await new FakeSts().start();
  const proton = await FakeProton.start(s3.client());
  const events = await FakeEventBridge.start();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3.url,
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_ENDPOINT_URL_PROTON: proton.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: events.url,
    RELAY_S3_FORCE_PATH_STYLE: "true",
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
    AWS_ACCESS_KEY_ID: "AKIARELAYAPP",
    AWS_SECRET_ACCESS_KEY: "relay-app-secret",
    AWS_MAX_ATTEMPTS: "3",
    AWS_RETRY_MODE: "standard",
    ...env,
  });
  const h = await Harness.start({ env }); // e.g. ARCHIVE_* limits for the app's config
  const { installation } = h.tenant;
  sts.allowRole(ROLE, await externalIdFor(h.services.installations, installation.id));
  const repo = { uuid: h.repo.uuid, fullName: h.repo.fullName };
  await h.services.settings.update(
    installation.id,
    repo,
    "proton",
    { values: { enabled: true, bucket: BUCKET, prefix: "relay", region: "us-east-1", roleArn: ROLE, ...settings } },
    "test",
  );
  await h.services.settings.update(
    installation.id,
    repo,
    "eventbridge-out",
    { values: { enabled: true, eventBus: "default", region: "us-east-1", roleArn: ROLE, eventTypes: [] } },
    "test",
  );
  return {
    h,
    s3,
    sts,
    proton,
    events,
    async close() {
      await h.close();
      await Promise.allSettled([s3.close(), sts.close(), proton.close(), events.close()]);
      process.env = saved;
    },
  };
}

/** Sends a `repo:push` for a commit on a branch (the real 2023 capture, pointed at acme/widgets). */
export async function push(w: ProtonWorld, commit: string, branch = "main"): Promise<void> {
  const base = forRepository(bitbucketWebhook("repo-push.real-2023.json"), { uuid: w.h.repo.uuid, fullName: w.h.repo.fullName });
  const res = await w.h.webhook("repo:push", pushPayload(base, commit, branch));
  if (res.status >= 300) throw new Error(`webhook answered ${res.status} ${res.text}`);
}

/** The sync job of a commit once it has settled (done, ignored or dead). */
export async function settledSync(commit: string): Promise<Job> {
  return waitFor(
    async () => {
      const jobs = await Job.findAll({ where: { handler: "proton.sync", status: { [Op.in]: ["done", "dead", "ignored"] } } });
      return jobs.find((j) => (JSON.parse(j.payload ?? "{}") as { commit?: string }).commit === commit);
    },
    `sync of ${commit}`,
  );
}

export async function historyOf(commit: string): Promise<ProtonSync> {
  const row = await ProtonSync.findOne({ where: { commit } });
  if (!row) throw new Error(`no sync history for ${commit}`);
  return row;
}
