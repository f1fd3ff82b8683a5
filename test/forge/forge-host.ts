import http from "node:http";
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import type { AppOptions } from "../../src/app";
import { FakeBitbucket } from "../fakes/bitbucket";
import { Harness, type Response } from "../helpers/harness";
import { referenceJson } from "../helpers/fixtures";

export const APP_ID = "ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000000";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(kid = `k-${randomUUID().slice(0, 8)}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicJwk };
}

/** A local JWKS endpoint, as Forge publishes its keys (`/.well-known/jwks.json`). Counts fetches. */
export class JwksServer {
  fetches = 0;
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    public keys: JWK[],
  ) {}

  static async start(keys: JWK[]): Promise<JwksServer> {
    let self: JwksServer | undefined;
    const server = http.createServer((req, res) => {
      if (req.url !== "/.well-known/jwks.json") {
        res.writeHead(404).end();
        return;
      }
      self!.fetches++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: self!.keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const addr = server.address() as { port: number };
    self = new JwksServer(server, `http://127.0.0.1:${addr.port}/.well-known/jwks.json`, keys);
    return self;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface FitOptions {
  key?: SigningKey;
  audience?: string;
  issuer?: string;
  /** Seconds from now (negative: already expired). */
  expiresIn?: number;
  installationId?: string;
  workspaceId?: string;
  apiBaseUrl?: string;
  moduleType?: string;
  moduleKey?: string;
  repositoryUuid?: string | null;
  principal?: string | null;
  /** No Bitbucket workspace anywhere in the claims (as Forge documents the preUninstall trigger: `{cloudId, moduleKey}`). */
  noWorkspace?: boolean;
}

/** The app's Custom UI modules (manifest.yml): module type and key, by the short name tests use. */
export const FORGE_UI_MODULES = {
  card: { type: "bitbucket:repoCodeOverviewCard", key: "relay-review-radar" },
  settings: { type: "bitbucket:repoSettingsMenuPage", key: "relay-settings" },
  insights: { type: "bitbucket:repoMainMenuPage", key: "relay-review-insights" },
} as const;
export type ForgeUiModule = keyof typeof FORGE_UI_MODULES;

/**
 * A Forge host for tests: one RS256 key served by a local JWKS, an app installation on the harness
 * workspace, FITs with the documented claims (shared/reference/forge/fit), and the calls Forge makes
 * to a remote (product events, lifecycle, invokeRemote) with `x-forge-oauth-system`.
 */
export class ForgeHost {
  installationId = `ari:cloud:ecosystem::installation/${randomUUID()}`;
  systemToken = `forge-system-${randomUUID()}`;

  private constructor(
    readonly h: Harness,
    readonly fake: FakeBitbucket,
    readonly jwks: JwksServer,
    readonly key: SigningKey,
  ) {}

  /** Starts a fake Bitbucket, a JWKS and an app with the Forge door open; registers the system token with the fake. */
  static async start(opts: Pick<AppOptions, "registerHandlers" | "integrations"> & { env?: Record<string, string> } = {}): Promise<ForgeHost> {
    const key = await makeKey();
    const jwks = await JwksServer.start([key.publicJwk]);
    const fake = await FakeBitbucket.start();
    const h = await Harness.start({
      fake,
      registerHandlers: opts.registerHandlers,
      integrations: opts.integrations,
      env: {
        FORGE_APP_ID: APP_ID,
        FORGE_JWKS_URL: jwks.url,
        FORGE_API_HOSTS: "127.0.0.1",
        FORGE_SITE_URL: fake.url,
        ...opts.env,
      },
    });
    const host = new ForgeHost(h, fake, jwks, key);
    fake.addBearerToken(host.systemToken, "forge-app", { workspace: h.tenant.workspace });
    return host;
  }

  get workspaceUuid(): string {
    return this.h.tenant.workspace.uuid;
  }

  claims(o: FitOptions = {}): Record<string, unknown> {
    const apiBaseUrl = o.apiBaseUrl ?? this.fake.url;
    const installationId = o.installationId ?? this.installationId;
    const workspaceId = (o.workspaceId ?? this.workspaceUuid).replace(/[{}]/g, "");
    const claims: Record<string, unknown> = {
      app: {
        id: APP_ID,
        appVersion: "2.1.0",
        installationId,
        apiBaseUrl,
        installation: { id: installationId, contexts: [{ name: "bitbucket", apiBaseUrl, workspaceId }] },
        environment: { type: "DEVELOPMENT", id: "ari:cloud:ecosystem::environment/00000000-0000-4000-8000-000000000000/33333333-3333-4333-8333-333333333333" },
        module: { type: o.moduleType ?? "core:endpoint", key: o.moduleKey ?? "relay-events" },
      },
      context: { workspaceId: `{${workspaceId}}` },
    };
    if (o.noWorkspace) {
      (claims.app as Record<string, unknown>).installation = { id: installationId, contexts: [] };
      claims.context = { cloudId: randomUUID(), moduleKey: o.moduleKey ?? "relay-pre-uninstall" };
    }
    if (o.repositoryUuid !== undefined && o.repositoryUuid !== null) {
      (claims.context as Record<string, unknown>).extension = { type: o.moduleType, repository: { uuid: o.repositoryUuid } };
    }
    if (o.principal) claims.principal = o.principal;
    return claims;
  }

  async fit(o: FitOptions = {}): Promise<string> {
    const key = o.key ?? this.key;
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (o.expiresIn ?? 25);
    return new SignJWT(this.claims(o))
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
      .setIssuer(o.issuer ?? "forge/invocation-token")
      .setAudience(o.audience ?? APP_ID)
      .setIssuedAt(Math.min(now, exp - 25))
      .setNotBefore(Math.min(now, exp - 25))
      .setExpirationTime(exp)
      .setJti(randomUUID().replace(/-/g, ""))
      .sign(key.privateKey);
  }

  /** A call from Forge to the remote: FIT + system token (+ b3 trace headers). */
  async call(method: string, path: string, body: unknown, o: FitOptions & { fitToken?: string | null; systemToken?: string | null } = {}): Promise<Response> {
    const token = o.fitToken === undefined ? await this.fit(o) : o.fitToken;
    const headers: Record<string, string> = {
      "x-b3-traceid": randomUUID().replace(/-/g, "").slice(0, 16),
      "x-b3-spanid": randomUUID().replace(/-/g, "").slice(0, 16),
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const systemToken = o.systemToken === undefined ? this.systemToken : o.systemToken;
    if (systemToken) headers["x-forge-oauth-system"] = systemToken;
    if (body === undefined) return this.h.fetch(method, path, undefined, headers);
    return this.h.fetch(method, path, JSON.stringify(body), { "content-type": "application/json", ...headers });
  }

  /** A product event delivered to the `relay-events` endpoint, in the `{payload}` envelope. */
  event(payload: unknown, o: FitOptions & { fitToken?: string | null; systemToken?: string | null; bare?: boolean } = {}): Promise<Response> {
    return this.call("POST", "/forge/events", o.bare ? payload : { payload }, o);
  }

  /** The Forge installation (provisioned by the first verified invocation). */
  async installation() {
    const inst = await this.h.services.installations.findByClientKey("forge", this.installationId);
    if (!inst) throw new Error("the Forge installation is not provisioned yet");
    return inst;
  }

  /** A UI invocation (`invokeRemote` from a Custom UI module) on the harness repository, as a user. */
  ui(method: string, apiPath: string, body: unknown, o: FitOptions & { module?: ForgeUiModule } = {}): Promise<Response> {
    const m = FORGE_UI_MODULES[o.module ?? "card"];
    return this.call(method, `/forge/api${apiPath}`, body, {
      moduleType: m.type,
      moduleKey: m.key,
      repositoryUuid: this.h.repo.uuid,
      ...o,
    });
  }

  async close(): Promise<void> {
    await this.h.close();
    await this.fake.close();
    await this.jwks.close();
  }
}

/** A documented Forge event example pointed at the harness workspace and repository. */
export function forgeEvent<T extends Record<string, unknown>>(file: string, ws: string, repoUuid: string, patch: Record<string, unknown> = {}): T {
  const ev = referenceJson<Record<string, unknown>>(`forge/events/${file}`);
  return { ...ev, workspace: { uuid: ws }, repository: { uuid: repoUuid, slug: "widgets" }, ...patch } as unknown as T;
}
