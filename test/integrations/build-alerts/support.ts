import { Harness, type HarnessOptions } from "../../helpers/harness";
import { forRepository, referenceJson, waitFor } from "../../helpers/fixtures";
import { Job } from "../../../src/models";
import { buildAlertsIntegration } from "../../../src/integrations/build-alerts";
import type { BuildAlertsSettings } from "../../../src/integrations/build-alerts/settings";
import { FakePagerDuty } from "../../fakes/alerting/pagerduty";
import { FakeAlertOps } from "../../fakes/alerting/alertops";
import { FakeWebhookReceiver } from "../../fakes/alerting/webhook";

export const ROUTING_KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6";
export const WEBHOOK_SECRET = "whsec-0123456789abcdef";
export const HASH = "abcd0b72a1e580e90712cdd9eb26d3fb41cd09c8";

export interface StatusOptions {
  key?: string;
  refname?: string | null;
  hash?: string;
  /** Seconds after a fixed base time: later statuses get larger numbers. */
  at: number;
  name?: string;
}

/** An app with build alerts, local AlertOps / PagerDuty / webhook receivers, and helpers to drive statuses. */
export class AlertsBed {
  private constructor(
    readonly h: Harness,
    readonly pd: FakePagerDuty,
    readonly ao: FakeAlertOps,
    readonly hook: FakeWebhookReceiver,
  ) {}

  /** `opts`: the app's env and DNS lookup (the outbound policy's tests close loopback and map names). */
  static async start(opts: Pick<HarnessOptions, "env" | "dnsLookup" | "integrations"> = {}): Promise<AlertsBed> {
    const pd = await new FakePagerDuty().start();
    pd.routingKeys.add(ROUTING_KEY);
    const ao = await new FakeAlertOps().start();
    const hook = await new FakeWebhookReceiver(WEBHOOK_SECRET).start();
    const h = await Harness.start({ integrations: [buildAlertsIntegration], ...opts });
    return new AlertsBed(h, pd, ao, hook);
  }

  reset(): void {
    this.pd.reset();
    this.ao.reset();
    this.hook.reset();
  }

  async configure(values: Partial<BuildAlertsSettings> = {}, secrets: Record<string, string | null> = {}): Promise<void> {
    await this.h.services.settings.update(
      this.h.tenant.installation.id,
      { uuid: this.h.repo.uuid, fullName: this.h.repo.fullName },
      "build-alerts",
      {
        values: {
          enabled: true,
          alertopsEnabled: true,
          pagerdutyEnabled: true,
          pagerdutyEventsUrl: this.pd.enqueueUrl,
          webhookEnabled: true,
          webhookUrl: `${this.hook.url}/relay-alerts`,
          branches: [],
          statusKeys: [],
          ...values,
        },
        secrets: { alertopsUrl: this.ao.integrationUrl, pagerdutyRoutingKey: ROUTING_KEY, webhookSecret: WEBHOOK_SECRET, ...secrets },
      },
      "test",
    );
  }

  /** A commit-status webhook payload (the FAILED reference payload, adjusted). */
  status(state: "FAILED" | "SUCCESSFUL" | "INPROGRESS" | "STOPPED", o: StatusOptions): Record<string, unknown> {
    const base = forRepository(referenceJson<Record<string, unknown>>("alerting/bitbucket-repo-commit-status-updated-failed.json"), {
      uuid: this.h.repo.uuid,
      fullName: this.h.repo.fullName,
      workspaceUuid: this.h.tenant.workspace.uuid,
    });
    const cs = base.commit_status as Record<string, unknown>;
    const hash = o.hash ?? HASH;
    const key = o.key ?? "buildkite-widgets";
    const at = new Date(Date.UTC(2026, 10, 20, 8, 0, 0) + o.at * 1000).toISOString();
    const commitStatus: Record<string, unknown> = {
      ...cs,
      key,
      state,
      name: o.name ?? cs.name,
      description: `Build ${state.toLowerCase()}`,
      updated_on: at,
      links: {
        commit: { href: `https://api.bitbucket.org/2.0/repositories/acme/widgets/commit/${hash}` },
        self: { href: `https://api.bitbucket.org/2.0/repositories/acme/widgets/commit/${hash}/statuses/build/${key}` },
      },
    };
    if (o.refname === null) delete commitStatus.refname;
    else commitStatus.refname = o.refname ?? "main";
    return { ...base, commit_status: commitStatus };
  }

  /** Sends a status webhook and waits for its build-alerts job; returns that job. */
  async send(state: "FAILED" | "SUCCESSFUL" | "INPROGRESS" | "STOPPED", o: StatusOptions): Promise<Job> {
    const before = await this.count("build-alerts.commit-status");
    const res = await this.h.webhook("repo:commit_status_updated", this.status(state, o));
    if (res.status !== 204) throw new Error(`webhook answered ${res.status} ${res.text}`);
    const jobs = await this.settled("build-alerts.commit-status", before + 1);
    return jobs.at(-1)!;
  }

  async count(handler: string): Promise<number> {
    return Job.count({ where: { installationId: this.h.tenant.installation.id, handler } });
  }

  /** Waits until `count` jobs of a handler have settled (done / ignored / dead); oldest first. */
  async settled(handler: string, count: number): Promise<Job[]> {
    return waitFor(
      async () => {
        const all = await Job.findAll({ where: { installationId: this.h.tenant.installation.id, handler }, order: [["createdAt", "ASC"]] });
        const done = all.filter((j) => ["done", "ignored", "dead"].includes(j.status));
        return all.length >= count && done.length === all.length ? all : null;
      },
      `${count} settled ${handler} job(s)`,
    );
  }

  async notifyJobs(): Promise<Job[]> {
    return Job.findAll({
      where: { installationId: this.h.tenant.installation.id, handler: "build-alerts.notify" },
      order: [["createdAt", "ASC"]],
    });
  }

  async close(): Promise<void> {
    await this.h.close();
    await Promise.all([this.pd.close(), this.ao.close(), this.hook.close()]);
  }
}
