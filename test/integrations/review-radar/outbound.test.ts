import assert from "node:assert/strict";
import { Harness } from "../../helpers/harness";
import { FakeDns, PUBLIC_ADDRESS } from "../../helpers/dns";
import { InternalService } from "../../fakes/internal-service";
import { reviewRadar } from "../../../src/integrations/review-radar";
import { ADMIN, apiAs, grantDefaults, repoBase, sessionFor, type ApiClient } from "../../web/support";
import { ChatServer } from "./chat-server";
import { addPr, PEOPLE } from "./helpers";

const integrations = [{ ...reviewRadar, background: undefined }];
const FIELDS = ["slackWebhookUrl", "teamsWebhookUrl", "googleChatWebhookUrl"] as const;
/** Each chat field's vendor host (the only hosts the docs allow). */
const VENDOR_HOST = { slackWebhookUrl: "hooks.slack.com", teamsWebhookUrl: "acme.webhook.office.com", googleChatWebhookUrl: "chat.googleapis.com" };

type Issues = { details: { issues: Array<{ path: string; message: string }> } };

async function start(env: Record<string, string>, dnsLookup?: FakeDns["lookup"]) {
  const h = await Harness.start({ integrations, env, dnsLookup });
  grantDefaults(h);
  return { h, api: apiAs(h, await sessionFor(h, ADMIN)) };
}

const saveChat = (h: Harness, api: ApiClient, secrets: Record<string, string | null>) =>
  api.put(`${repoBase(h)}/settings/review-radar`, { secrets });
const testReminder = async (h: Harness, api: ApiClient) => {
  const res = await api.post(`${repoBase(h)}/settings/review-radar/actions/testReminder`);
  assert.equal(res.status, 200, res.text);
  return res.json<{ ok: boolean; message: string }>();
};

// Issues 13.2 and 15.4: chat webhook URLs under the one outbound policy, closed by default in every mode.
describe("review radar: chat webhook URLs stay outside (OUTBOUND_ALLOW_LOOPBACK off)", () => {
  let h: Harness;
  let api: ApiClient;
  let internal: InternalService;
  const dns = new FakeDns();

  before(async () => {
    internal = await InternalService.start();
    ({ h, api } = await start({ NODE_ENV: "development", OUTBOUND_ALLOW_LOOPBACK: "false" }, dns.lookup));
  });
  after(async () => {
    await h.close();
    await internal.close();
  });

  for (const field of FIELDS) {
    it(`${field}: loopback URLs and vendor names resolving inside are refused when saved`, async () => {
      dns.set(VENDOR_HOST[field], "127.0.0.1");
      for (const [url, reason] of [
        ["http://127.0.0.1:9/hook", /must use https/],
        [`https://[::1]:${internal.port}/hook`, /is a loopback address/],
        [`https://${VENDOR_HOST[field]}:${internal.port}/services/T0/B0/x`, /resolves to a loopback address/],
      ] as const) {
        const res = await saveChat(h, api, { [field]: url });
        assert.equal(res.status, 400, `${url}: ${res.text}`);
        const issue = res.json<Issues>().details.issues[0]!;
        assert.equal(issue.path, field);
        assert.match(issue.message, reason);
      }
      const stored = await h.services.settings.get(h.tenant.installation.id, h.repo.uuid, "review-radar");
      assert.equal(stored[field], undefined, "nothing was saved");
      assert.equal(internal.connections, 0);
    });
  }

  it("every chat URL rebinding to loopback after the save is refused at connect time by \"Send test reminder\"", async () => {
    const secrets: Record<string, string> = {};
    for (const field of FIELDS) {
      dns.rebind(VENDOR_HOST[field], PUBLIC_ADDRESS, "127.0.0.1");
      secrets[field] = `https://${VENDOR_HOST[field]}:${internal.port}/hook`;
    }
    const saved = await saveChat(h, api, secrets);
    assert.equal(saved.status, 200, saved.text);
    const out = await testReminder(h, api);
    assert.equal(out.ok, false);
    for (const title of ["Slack", "Microsoft Teams", "Google Chat"]) {
      assert.match(out.message, new RegExp(`${title}: refused by the outbound policy: the host resolves to a loopback address`));
    }
    assert.equal(internal.connections, 0, "the internal service saw no connection");
  });
});

describe("review radar: Send test reminder", () => {
  let h: Harness;
  let api: ApiClient;
  let chat: ChatServer;

  beforeEach(async () => {
    chat = await ChatServer.start();
    ({ h, api } = await start({})); // the tests' config opens loopback: the chat fakes listen on 127.0.0.1
  });
  afterEach(async () => {
    await h.close();
    await chat.close();
  });

  it("asks for a chat URL first", async () => {
    const out = await testReminder(h, api);
    assert.deepEqual([out.ok, out.message], [false, "Set a Slack, Microsoft Teams or Google Chat webhook URL first."]);
  });

  it("posts the current digest, marked as a test, to every chat target (reminders off) and shows each answer", async () => {
    addPr(h, { id: 7, title: "Waiting for Bob", participants: [{ user: PEOPLE.bob, role: "REVIEWER", approved: false, state: null }] });
    const saved = await saveChat(h, api, { slackWebhookUrl: `${chat.url}/slack`, teamsWebhookUrl: `${chat.url}/teams`, googleChatWebhookUrl: `${chat.url}/chat` });
    assert.equal(saved.status, 200, saved.text);
    const out = await testReminder(h, api);
    assert.equal(out.ok, true, out.message);
    assert.equal(out.message, "Test digest with 1 pull request waiting for review.\nSlack: 200 ok\nMicrosoft Teams: 200 ok\nGoogle Chat: 200 ok");
    const slack = chat.to("/slack")[0]!.body as { text: string; blocks: Array<{ text?: { text: string } }> };
    assert.equal(slack.text, "[Test] 1 pull request waiting for review in acme/widgets");
    assert.match(slack.blocks[1]!.text!.text, /#7 Waiting for Bob/);
    assert.equal(chat.to("/teams").length, 1);
    assert.match((chat.to("/chat")[0]!.body as { text: string }).text, /^\*\[Test\] 1 pull request/);
  });

  it("shows a chat service's error as its status and a short sanitised excerpt, without retrying", async () => {
    const body = `<html><head><title>Bad</title></head><body>\u001b[31minvalid_payload ${"detail ".repeat(300)}</body></html>`;
    chat.fail("/slack", 400, 1, body);
    chat.fail("/teams", 503, 1);
    await saveChat(h, api, { slackWebhookUrl: `${chat.url}/slack`, teamsWebhookUrl: `${chat.url}/teams` });
    const out = await testReminder(h, api);
    assert.equal(out.ok, false);
    const [, slackLine, teamsLine] = out.message.split("\n");
    assert.match(slackLine!, /^Slack: slack webhook answered 400: Bad invalid_payload detail/);
    assert.ok(slackLine!.length < 220, `${slackLine!.length} characters`);
    assert.doesNotMatch(slackLine!, /[<>\u001b]/);
    assert.match(teamsLine!, /^Microsoft Teams: teams answered 503: failure$/);
    assert.equal(chat.posts.length, 0, "one attempt each, nothing retried");
  });
});
