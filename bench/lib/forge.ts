import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import type { BenchTenant } from "./payloads";

/** The Forge app id the bench app is configured with (FORGE_APP_ID). */
export const BENCH_FORGE_APP_ID = "ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000b0e0c";

/**
 * Forge's side of a bench: one RS256 key published on a local JWKS (`/.well-known/jwks.json`), the
 * Forge installation on the tenant's workspace, and Forge Invocation Tokens with the documented
 * claims (shared/reference/forge/fit). FITs are signed in the background (a fresh one every 200 ms,
 * valid 60 s) so that the load generator, which must build requests synchronously, always has one:
 * the app verifies each request's FIT the same way whether it is fresh or 200 ms old.
 */
export class BenchForge {
  readonly installationId = `ari:cloud:ecosystem::installation/${randomUUID()}`;
  readonly systemToken = `forge-system-${randomUUID()}`;
  current = "";
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly server: http.Server,
    readonly jwksUrl: string,
    private readonly key: { kid: string; privateKey: CryptoKey },
    private readonly tenant: BenchTenant,
    private readonly apiBaseUrl: string,
  ) {}

  static async start(tenant: BenchTenant, apiBaseUrl: string): Promise<BenchForge> {
    const kid = `bench-${randomUUID().slice(0, 8)}`;
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
    const server = http.createServer((req, res) => {
      if (req.url !== "/.well-known/jwks.json") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    const forge = new BenchForge(server, url, { kid, privateKey }, tenant, apiBaseUrl);
    forge.current = await forge.sign();
    forge.timer = setInterval(() => void forge.sign().then((t) => (forge.current = t)), 200);
    return forge;
  }

  /** The app environment that opens its Forge front door to this host. */
  appEnv(): Record<string, string> {
    return { FORGE_APP_ID: BENCH_FORGE_APP_ID, FORGE_JWKS_URL: this.jwksUrl, FORGE_API_HOSTS: "127.0.0.1", FORGE_SITE_URL: this.apiBaseUrl };
  }

  private sign(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const workspaceId = this.tenant.workspace.uuid.replace(/[{}]/g, "");
    const app = {
      id: BENCH_FORGE_APP_ID,
      appVersion: "2.1.0",
      installationId: this.installationId,
      apiBaseUrl: this.apiBaseUrl,
      installation: { id: this.installationId, contexts: [{ name: "bitbucket", apiBaseUrl: this.apiBaseUrl, workspaceId }] },
      module: { type: "core:endpoint", key: "relay-events" },
    };
    return new SignJWT({ app, context: { workspaceId: `{${workspaceId}}` } })
      .setProtectedHeader({ alg: "RS256", kid: this.key.kid, typ: "JWT" })
      .setIssuer("forge/invocation-token")
      .setAudience(BENCH_FORGE_APP_ID)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 60)
      .setJti(randomUUID().replace(/-/g, ""))
      .sign(this.key.privateKey);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
