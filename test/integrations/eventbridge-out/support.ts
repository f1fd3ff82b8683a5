import { Op } from "sequelize";
import { Harness } from "../../helpers/harness";
import { FakeEventBridge } from "../../fakes/aws/eventbridge";
import { FakeSts } from "../../fakes/aws/sts";
import { externalIdFor } from "../../../src/aws/external-id";
import { Job } from "../../../src/models";
import { eventBridgeOutIntegration } from "../../../src/integrations/eventbridge-out";
import type { EventBridgeOutSettings } from "../../../src/integrations/eventbridge-out/settings";
import { waitFor } from "../../helpers/fixtures";

export const ROLE = "arn:aws:iam::123456789012:role/relay-eventbridge";

/** An app with EventBridge out, a fake STS granting ROLE to the tenant's ExternalId, and a fake EventBridge. */
export class EventBridgeBed {
  private constructor(
    readonly h: Harness,
    readonly eb: FakeEventBridge,
    readonly sts: FakeSts,
    private readonly savedEnv: NodeJS.ProcessEnv,
  ) {}

  static async start(): Promise<EventBridgeBed> {
    const eb = await FakeEventBridge.start();
    const sts = await new FakeSts().start();
    const savedEnv = { ...process.env };
    process.env.AWS_ENDPOINT_URL_STS = sts.url;
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eb.url;
    process.env.AWS_ACCESS_KEY_ID = "AKIAAPPTEST";
    process.env.AWS_SECRET_ACCESS_KEY = "app-secret";
    const h = await Harness.start({ integrations: [eventBridgeOutIntegration] });
    sts.allowRole(ROLE, await externalIdFor(h.services.installations, h.tenant.installation.id));
    return new EventBridgeBed(h, eb, sts, savedEnv);
  }

  async configure(values: Partial<EventBridgeOutSettings>): Promise<void> {
    await this.h.services.settings.update(
      this.h.tenant.installation.id,
      { uuid: this.h.repo.uuid, fullName: this.h.repo.fullName },
      "eventbridge-out",
      { values: { enabled: true, eventBus: "customer-bus", region: "eu-west-1", roleArn: ROLE, ...values } },
      "test",
    );
  }

  async jobs(handler: string): Promise<Job[]> {
    return Job.findAll({ where: { installationId: this.h.tenant.installation.id, handler }, order: [["createdAt", "ASC"]] });
  }

  /** Jobs created before this are not waited for (set by `beforeEach`: each test sees its own jobs). */
  since = 0;

  /** Waits until `count` jobs of a handler (created since `since`) have settled (done / ignored / dead) and returns them. */
  async settled(handler: string, count = 1): Promise<Job[]> {
    return waitFor(
      async () => {
        const jobs = await Job.findAll({
          where: {
            installationId: this.h.tenant.installation.id,
            handler,
            status: { [Op.in]: ["done", "ignored", "dead"] },
            createdAt: { [Op.gte]: this.since },
          },
          order: [["createdAt", "ASC"]],
        });
        return jobs.length >= count ? jobs : null;
      },
      `${count} settled ${handler} job(s)`,
    );
  }

  async close(): Promise<void> {
    await this.h.close();
    await this.eb.close();
    await this.sts.close();
    process.env = this.savedEnv;
  }
}
