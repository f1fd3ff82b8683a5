import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { HttpClient } from "../../src/http/client";
import { HttpError } from "../../src/http/errors";
import { excerpt } from "../../src/http/excerpt";
import { blockedRange, OutboundRefusedError } from "../../src/http/outbound-policy";
import { FakeDns, PUBLIC_ADDRESS } from "../helpers/dns";
import { InternalService } from "../fakes/internal-service";

function client(dns: FakeDns, allowLoopback = false, proxy?: { httpsProxy: string; noProxy: string }) {
  return new HttpClient({
    timeoutMs: 5000,
    inlineRetries: 0,
    inlineRetryMaxWaitMs: 0,
    retry: { baseMs: 1, maxMs: 1 },
    outbound: { allowLoopback, lookup: dns.lookup },
    proxy,
  });
}

const post = (c: HttpClient, url: string) => c.send({ target: "webhook", method: "POST", url, json: { hello: 1 }, tenantUrl: true });

async function refused(p: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof OutboundRefusedError, `expected a refusal, got ${String(err)}`);
    assert.match(err.message, reason);
    assert.equal(err.retryable, false);
    return true;
  });
}

/** Every class the policy refuses, with an address of it (never connected to: only classified). */
const CLASSES: Array<[string, string[]]> = [
  ["loopback", ["127.0.0.1", "127.9.9.9", "::1"]],
  ["private", ["10.0.0.5", "172.16.0.1", "172.31.255.254", "192.168.1.1"]],
  ["linkLocal", ["169.254.169.254", "169.254.170.2", "fe80::1"]],
  ["carrierGradeNat", ["100.64.0.1", "100.100.100.200"]],
  ["uniqueLocal", ["fc00::1", "fd00:ec2::254"]],
  ["unspecified", ["0.0.0.0", "0.1.2.3", "::"]],
  ["multicast", ["224.0.0.1", "ff02::1"]],
  ["broadcast", ["255.255.255.255"]],
  ["reserved", ["192.0.0.192", "192.0.2.1", "198.51.100.7", "203.0.113.9", "240.0.0.1", "2001:db8::1"]],
  ["benchmarking", ["198.18.0.1"]],
  ["ipv4Compatible", ["::7f00:1"]],
  ["siteLocal", ["fec0::1"]],
  ["rfc6052", ["64:ff9b::7f00:1"]],
  ["6to4", ["2002:7f00:1::"]],
  ["teredo", ["2001:0:4136:e378::1"]],
];

describe("outbound policy: address classes", () => {
  for (const [range, addresses] of CLASSES) {
    it(`refuses ${range} (${addresses.join(", ")})`, async () => {
      const dns = new FakeDns();
      for (const a of addresses) {
        assert.equal(blockedRange(a), range, a);
        dns.set(`${a.replace(/[:.]/g, "-")}.example.test`, a);
        await refused(client(dns).checkTenantUrl(`https://${a.replace(/[:.]/g, "-")}.example.test/hook`), new RegExp(`resolves to a ${range} address`));
        await refused(client(dns).checkTenantUrl(`https://${a.includes(":") ? `[${a}]` : a}/hook`), new RegExp(`is a ${range} address`));
      }
    });
  }

  it("judges IPv4-mapped IPv6 as its IPv4 address", () => {
    assert.equal(blockedRange("::ffff:127.0.0.1"), "loopback");
    assert.equal(blockedRange("::ffff:a00:5"), "private");
    assert.equal(blockedRange("::ffff:169.254.169.254"), "linkLocal");
    assert.equal(blockedRange(`::ffff:${PUBLIC_ADDRESS}`), null);
  });

  it("lets public unicast addresses through, and refuses a name if any of its addresses is internal", async () => {
    for (const a of [PUBLIC_ADDRESS, "1.1.1.1", "2606:4700:4700::1111", "100.63.255.255", "172.32.0.1"]) assert.equal(blockedRange(a), null, a);
    const dns = new FakeDns().set("public.example.test", PUBLIC_ADDRESS).set("mixed.example.test", PUBLIC_ADDRESS, "10.1.2.3");
    await client(dns).checkTenantUrl("https://public.example.test/hook");
    await refused(client(dns).checkTenantUrl("https://mixed.example.test/hook"), /private address/);
    await refused(client(dns).checkTenantUrl("https://unknown.example.test/hook"), /does not resolve \(ENOTFOUND\)/);
  });

  it("is https only; the development switch opens loopback (and http to it) but nothing else", async () => {
    const dns = new FakeDns().set("public.example.test", PUBLIC_ADDRESS).set("localhost", "127.0.0.1");
    await refused(client(dns).checkTenantUrl("http://public.example.test/hook"), /must use https/);
    await refused(client(dns, true).checkTenantUrl("http://public.example.test/hook"), /must use https/);
    await refused(client(dns).checkTenantUrl("http://127.0.0.1:9/hook"), /must use https/);
    await refused(client(dns).checkTenantUrl("ftp://public.example.test/x"), /must use https/);
    await refused(client(dns).checkTenantUrl("not a url"), /not a valid URL/);
    await client(dns, true).checkTenantUrl("http://127.0.0.1:9/hook");
    await client(dns, true).checkTenantUrl("http://localhost:9/hook");
    await client(dns, true).checkTenantUrl("https://[::1]:9/hook");
    await refused(client(dns, true).checkTenantUrl("http://[::]:9/hook"), /must use https/);
    await refused(client(dns, true).checkTenantUrl("https://[::]:9/hook"), /unspecified/);
    await refused(client(dns, true).checkTenantUrl("https://0.0.0.0:9/hook"), /unspecified/);
    await refused(client(dns, true).checkTenantUrl("https://10.0.0.5/hook"), /private/);
  });
});

describe("outbound policy: checked at connect time in the HTTP client", () => {
  let v4: InternalService;
  let v6: InternalService;
  beforeEach(async () => {
    v4 = await InternalService.start("127.0.0.1");
    v6 = await InternalService.start("::1");
  });
  afterEach(async () => {
    await v4.close();
    await v6.close();
  });
  const untouched = () => assert.equal(v4.connections + v6.connections, 0, "the internal service saw no connection");

  it("refuses names that resolve to loopback, unspecified and IPv4-mapped loopback, and their literal forms", async () => {
    const dns = new FakeDns()
      .set("v4.internal.test", "127.0.0.1")
      .set("v6.internal.test", "::1")
      .set("mapped.internal.test", "::ffff:127.0.0.1")
      .set("any4.internal.test", "0.0.0.0")
      .set("any6.internal.test", "::");
    const c = client(dns);
    for (const [host, reason] of [
      ["v4.internal.test", /resolves to a loopback/],
      ["v6.internal.test", /resolves to a loopback/],
      ["mapped.internal.test", /resolves to a loopback/],
      ["any4.internal.test", /resolves to a unspecified/],
      ["any6.internal.test", /resolves to a unspecified/],
      ["127.0.0.1", /is a loopback/],
      ["[::1]", /is a loopback/],
      ["[::ffff:127.0.0.1]", /is a loopback/],
      ["[::]", /is a unspecified/],
      ["0.0.0.0", /is a unspecified/],
      ["2130706433", /is a loopback/],
      ["0x7f.1", /is a loopback/],
    ] as const) {
      const port = host.includes("v6") || host.startsWith("[") ? v6.port : v4.port;
      await refused(post(c, `https://${host}:${port}/x`), reason);
    }
    untouched();
  });

  it("checks the address at connect time: a rebinding answer after a public one is refused", async () => {
    const dns = new FakeDns().rebind("rebind.example.test", PUBLIC_ADDRESS, "127.0.0.1");
    const c = client(dns);
    await c.checkTenantUrl(`https://rebind.example.test:${v4.port}/x`); // the save-time check sees a public address
    await refused(post(c, `https://rebind.example.test:${v4.port}/x`), /resolves to a loopback address/);
    untouched();
  });

  it("the development switch reaches loopback (http only to localhost / loopback literals), never [::] or 0.0.0.0", async () => {
    const dns = new FakeDns().set("localhost", "127.0.0.1").set("dev.internal.test", "127.0.0.1").set("any.internal.test", "::");
    const c = client(dns, true);
    const res = await post(c, `http://localhost:${v4.port}/x`);
    assert.equal(res.status, 200);
    assert.equal(v4.connections, 1);
    await refused(post(c, `http://dev.internal.test:${v4.port}/x`), /must use https/);
    await assert.rejects(post(c, `https://dev.internal.test:${v4.port}/x`), (err: unknown) => !(err instanceof OutboundRefusedError));
    assert.equal(v4.connections, 2, "https to a name resolving to loopback connects (and fails TLS with this plain listener)");
    await refused(post(c, `https://any.internal.test:${v4.port}/x`), /unspecified/);
    await refused(post(c, `https://[::]:${v6.port}/x`), /unspecified/);
    assert.equal(v4.connections + v6.connections, 2);
  });

  it("does not follow redirects (a 3xx is an error), and shows a reply only as status and a short sanitised excerpt", async () => {
    const long = `<html><body><h1>Oops</h1>\u001b[31m${"internal detail ".repeat(200)}\u202e</body></html>`;
    const server = http.createServer((req, res) => {
      if (req.url === "/redirect") res.writeHead(302, { location: `http://127.0.0.1:${v4.port}/x` }).end();
      else res.writeHead(500, { "content-type": "text/html" }).end(long);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const c = client(new FakeDns(), true);
      await assert.rejects(post(c, `http://127.0.0.1:${port}/redirect`), (err: unknown) => {
        assert.ok(err instanceof HttpError);
        assert.equal(err.status, 302);
        assert.match(err.message, /redirects are not followed/);
        assert.equal(err.retryable, false);
        return true;
      });
      untouched();
      await assert.rejects(c.send({ target: "webhook", method: "POST", url: `http://127.0.0.1:${port}/fail`, tenantUrl: true, retries: 0 }), (err: unknown) => {
        assert.ok(err instanceof HttpError);
        assert.ok(err.bodySnippet.length <= 160, `${err.bodySnippet.length} characters`);
        assert.match(err.bodySnippet, /^Oops internal detail/);
        assert.doesNotMatch(err.bodySnippet, /[<>\u001b\u202e]/);
        return true;
      });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("through a proxy, resolves and checks the name itself and sends CONNECT to the checked address", async () => {
    const connects: string[] = [];
    const proxy = net.createServer((socket) => {
      socket.once("data", (d) => {
        connects.push(d.toString("latin1").split("\r\n")[0]!);
        socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
      });
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    try {
      const dns = new FakeDns().set("hooks.internal.test", "127.0.0.1").set("any.internal.test", "::");
      await refused(post(client(dns, false, { httpsProxy: proxyUrl, noProxy: "" }), "https://hooks.internal.test/x"), /loopback/);
      await refused(post(client(dns, true, { httpsProxy: proxyUrl, noProxy: "" }), "https://any.internal.test/x"), /unspecified/);
      assert.deepEqual(connects, [], "a refused name never reaches the proxy");
      await assert.rejects(post(client(dns, true, { httpsProxy: proxyUrl, noProxy: "" }), "https://hooks.internal.test/x"));
      assert.deepEqual(connects, ["CONNECT 127.0.0.1:443 HTTP/1.1"], "the proxy is asked for the checked address, not the name");
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it("excerpt: tags, control and bidi characters removed, whitespace collapsed, cut with an ellipsis", () => {
    assert.equal(excerpt("<p>ok</p>\n\n  done"), "ok done");
    assert.equal(excerpt("a\u0000b\u202ec"), "a b c");
    assert.equal(excerpt("x".repeat(500), 10), `${"x".repeat(9)}…`);
  });
});

describe("outbound policy: every tenant-configurable URL is declared", () => {
  it("lists each settings field that holds a URL (…Url) in its integration's outboundUrls", async () => {
    await import("../../src/integrations");
    const { integrationDefinitions } = await import("../../src/settings/registry");
    const defs = integrationDefinitions();
    assert.ok(defs.some((d) => d.id === "build-alerts") && defs.some((d) => d.id === "review-radar"));
    const declared: string[] = [];
    for (const def of defs) {
      const shape = (def.schema as unknown as { shape?: Record<string, unknown> }).shape;
      assert.ok(shape, `${def.id}: the settings schema is an object`);
      for (const field of Object.keys(shape).filter((k) => /ur[li]$/i.test(k))) {
        assert.ok(def.outboundUrls?.includes(field), `${def.id}.${field} holds a URL but is not in outboundUrls`);
        declared.push(`${def.id}.${field}`);
      }
    }
    assert.deepEqual(declared.sort(), [
      "build-alerts.alertopsUrl",
      "build-alerts.pagerdutyEventsUrl",
      "build-alerts.webhookUrl",
      "review-radar.googleChatWebhookUrl",
      "review-radar.slackWebhookUrl",
      "review-radar.teamsWebhookUrl",
    ]);
  });
});
