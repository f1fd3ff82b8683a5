import { randomUUID } from "node:crypto";
import { request } from "undici";
import { createRelayApp, type AppOptions, type RelayApp } from "../../src/app";
import type { InstallationView } from "../../src/core/installations";
import { FakeBitbucket } from "../fakes/bitbucket";
import { testConfig } from "./config";
import { freshPostgresUrl } from "./pg";
import { bitbucketJwt } from "./jwt";
import { referenceJson, waitFor } from "./fixtures";

export interface TestTenant {
  clientKey: string;
  sharedSecret: string;
  workspace: { uuid: string; slug: string };
  installation: InstallationView;
}

export interface HarnessOptions extends Omit<AppOptions, "config"> {
  env?: Record<string, string>;
  fake?: FakeBitbucket;
  /** Install one tenant (default true). */
  install?: boolean;
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

/**
 * One app instance on a random port, a fake Bitbucket, and (by default) one installed tenant with
 * one repository. Everything talks over real HTTP.
 */
export class Harness {
  private constructor(
    readonly relay: RelayApp,
    readonly url: string,
    readonly fake: FakeBitbucket,
    private readonly ownsFake: boolean,
  ) {}

  tenant!: TestTenant;
  repo = { uuid: "{11111111-2222-4333-8444-555555555555}", slug: "widgets", fullName: "acme/widgets" };

  static async start(opts: HarnessOptions = {}): Promise<Harness> {
    const fake = opts.fake ?? (await FakeBitbucket.start());
    const pgUrl = opts.env?.DATABASE_URL ? undefined : await freshPostgresUrl();
    const config = testConfig({ ...(pgUrl ? { DATABASE_URL: pgUrl } : {}), ...opts.env });
    const relay = await createRelayApp({ ...opts, config });
    const { url } = await relay.listen(0);
    config.baseUrl = url;
    const h = new Harness(relay, url, fake, !opts.fake);
    if (opts.install !== false) h.tenant = await h.install();
    return h;
  }

  get services() {
    return this.relay.services;
  }

  /** Installs a tenant as Bitbucket does: the first `installed` callback is unsigned. */
  async install(o: { clientKey?: string; sharedSecret?: string; workspace?: { uuid: string; slug: string }; repo?: boolean } = {}): Promise<TestTenant> {
    const clientKey = o.clientKey ?? `ari:cloud:bitbucket::app/${randomUUID()}`;
    const sharedSecret = o.sharedSecret ?? randomUUID() + randomUUID();
    const workspace = o.workspace ?? { uuid: `{${randomUUID()}}`, slug: "acme" };
    const payload = this.lifecyclePayload("installed", { clientKey, sharedSecret, workspace });
    const res = await this.post("/connect/installed", payload);
    if (res.status !== 204) throw new Error(`install failed: ${res.status} ${res.text}`);
    this.fake.addInstallation({ clientKey, sharedSecret, appKey: this.relay.services.config.appKey, workspace });
    if (o.repo !== false) {
      this.fake.addRepository({ workspace: workspace.slug, slug: this.repo.slug, uuid: this.repo.uuid, mainBranch: "main", clientKey });
    }
    const installation = (await this.relay.services.installations.findByClientKey("connect", clientKey))!;
    return { clientKey, sharedSecret, workspace, installation };
  }

  lifecyclePayload(eventType: "installed" | "uninstalled", t: { clientKey: string; sharedSecret: string; workspace: { uuid: string; slug: string } }) {
    const base = referenceJson<Record<string, unknown>>("bitbucket/connect/installed-lifecycle-payload.example.json");
    delete base._source;
    return {
      ...base,
      key: this.relay.services.config.appKey,
      eventType,
      clientKey: t.clientKey,
      sharedSecret: t.sharedSecret,
      baseUrl: this.fake.url,
      baseApiUrl: this.fake.url,
      principal: { ...(base.principal as object), uuid: t.workspace.uuid, username: t.workspace.slug },
    };
  }

  /** Signs as Bitbucket signs requests to the app (iss = clientKey, qsh). */
  jwtFor(method: string, pathAndQuery: string, o: Partial<Parameters<typeof bitbucketJwt>[2]> = {}): string {
    return bitbucketJwt(method, pathAndQuery, {
      clientKey: this.tenant.clientKey,
      sharedSecret: this.tenant.sharedSecret,
      jti: randomUUID(),
      ...o,
    });
  }

  /** A Bitbucket webhook delivery, JWT-signed, with X-Request-UUID. */
  async webhook(eventKey: string, payload: unknown, o: { requestUuid?: string; jwt?: string | null; tenant?: TestTenant } = {}): Promise<Response> {
    const [family, name] = eventKey.split(":");
    const path = `/connect/webhooks/${family}/${name}`;
    const tenant = o.tenant ?? this.tenant;
    const token =
      o.jwt === undefined
        ? bitbucketJwt("POST", path, { clientKey: tenant.clientKey, sharedSecret: tenant.sharedSecret, jti: randomUUID() })
        : o.jwt;
    return this.post(path, payload, {
      ...(token ? { authorization: `JWT ${token}` } : {}),
      "x-event-key": eventKey,
      "x-request-uuid": o.requestUuid ?? randomUUID(),
      "user-agent": "Bitbucket-Webhooks/2.0",
    });
  }

  /**
   * Waits until no job is queued, running or retrying: every delivery so far has settled (done, ignored
   * or dead). The condition to wait for before asserting that something happened exactly once.
   */
  async drained(): Promise<void> {
    await waitFor(async () => {
      const d = await this.services.queue.depth();
      return d.queued + d.running + d.retrying === 0;
    }, "the job queue to drain");
  }

  async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch("POST", path, typeof body === "string" ? body : JSON.stringify(body), { "content-type": "application/json", ...headers });
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch("GET", path, undefined, headers);
  }

  async fetch(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Response> {
    const res = await request(`${this.url}${path}`, { method: method as "GET", body, headers });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
  }

  async close(): Promise<void> {
    await this.relay.close();
    if (this.ownsFake) await this.fake.close();
  }
}
