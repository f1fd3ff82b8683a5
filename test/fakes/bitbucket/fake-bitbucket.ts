import type { Server } from "node:http";
import { Authenticator } from "./auth";
import { FaultInjector, testPath } from "./faults";
import { OpenApiValidator } from "./openapi-validator";
import { account, pullRequest, pullRequestOnTheWire } from "./representations";
import { ROUTES } from "./routes";
import { listen, shutdown } from "./server";
import { loadSubset } from "./spec/openapi-subset";
import { FakeState, type WorkspacePermission } from "./state";
import type {
  AccountInput,
  ArchiveSource,
  BearerTokenOptions,
  CommitStatus,
  FaultRule,
  InstallationInput,
  Permission,
  PullRequest,
  ActivityInput,
  PullRequestInput,
  RecordedCall,
  RepositoryInput,
  StartOptions,
} from "./types";

/**
 * A fake Bitbucket Cloud for tests: Connect JWT / JWT-grant Bearer auth exactly as Bitbucket checks
 * it, the real JSON shapes, pagination, `fields`, `q`, OpenAPI-validated request bodies, call
 * recording and fault injection. `url` stands in for both https://api.bitbucket.org and
 * https://bitbucket.org.
 */
export class FakeBitbucket {
  calls: RecordedCall[] = [];
  private latency: number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly host: string,
    private readonly state: FakeState,
    private readonly auth: Authenticator,
    private readonly faults: FaultInjector,
    latencyMs: number,
  ) {
    this.latency = latencyMs;
  }

  static async start(opts: StartOptions = {}): Promise<FakeBitbucket> {
    const state = new FakeState();
    const auth = new Authenticator(state, opts.tokenTtlSeconds ?? 3600);
    const faults = new FaultInjector();
    const validator = new OpenApiValidator(loadSubset());
    let fake: FakeBitbucket | undefined;
    let base = "";
    const { server, port } = await listen({
      state,
      auth,
      faults,
      validator,
      routes: ROUTES,
      record: (call) => fake?.calls.push(call),
      latencyMs: () => fake?.latency ?? 0,
      base: () => base,
    });
    base = `http://127.0.0.1:${port}`;
    fake = new FakeBitbucket(server, base, `127.0.0.1:${port}`, state, auth, faults, opts.latencyMs ?? 0);
    return fake;
  }

  callsTo(method: string, pathPattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method.toUpperCase() && testPath(pathPattern, c.path));
  }

  resetCalls(): void {
    this.calls = [];
  }

  addInstallation(i: InstallationInput): void {
    this.state.addInstallation(i);
  }

  addRepository(r: RepositoryInput): void {
    const installation = r.clientKey ? this.state.installations.get(r.clientKey) : undefined;
    const ws =
      installation && installation.workspace.slug.toLowerCase() === r.workspace.toLowerCase()
        ? installation.workspace
        : (this.state.findWorkspace(r.workspace) ?? this.state.ensureWorkspace(r.workspace));
    this.state.addRepository(ws, r);
  }

  /** Adds or replaces a pull request; returns it as GET .../pullrequests/{id} serves it. */
  addPullRequest(ws: string, slug: string, pr: PullRequestInput): PullRequest {
    const repo = this.state.requireRepo(ws, slug);
    const stored = pullRequest(this.url, repo, pr);
    repo.pullRequests.set(pr.id, stored);
    return pullRequestOnTheWire(stored);
  }

  /** Appends entries to a pull request's activity log (`GET …/pullrequests/{id}/activity`). */
  addPullRequestActivity(ws: string, slug: string, id: number, entries: ActivityInput[]): void {
    const repo = this.state.requireRepo(ws, slug);
    repo.activity.set(id, [...(repo.activity.get(id) ?? []), ...entries]);
  }

  /** "none" removes the user from the permission list. */
  setRepoPermission(ws: string, slug: string, accountId: string, permission: Permission, user: AccountInput = {}): void {
    const repo = this.state.requireRepo(ws, slug);
    if (permission === "none") repo.permissions.delete(accountId);
    else repo.permissions.set(accountId, { permission, user: account(this.url, { ...user, account_id: accountId }) });
  }

  /**
   * A user's membership of a workspace (`GET /2.0/workspaces/{workspace}/permissions`): `owner` is a
   * workspace admin; "none" removes the user.
   */
  setWorkspacePermission(ws: string, accountId: string, permission: WorkspacePermission | "none", user: AccountInput = {}): void {
    const workspace = this.state.findWorkspace(ws) ?? this.state.ensureWorkspace(ws);
    workspace.members ??= new Map();
    if (permission === "none") workspace.members.delete(accountId);
    else workspace.members.set(accountId, { permission, user: account(this.url, { ...user, account_id: accountId }) });
  }

  setArchive(ws: string, slug: string, sha: string, body: ArchiveSource): void {
    this.state.requireRepo(ws, slug).archives.set(sha.toLowerCase(), body);
  }

  /** Stored build statuses of a commit (a full or abbreviated sha), oldest first. */
  statuses(ws: string, slug: string, sha: string): CommitStatus[] {
    return this.state.statusesOf(this.state.requireRepo(ws, slug), sha);
  }

  /** Registers an opaque Bearer token (e.g. a Forge system token) for an installation or any label. */
  addBearerToken(token: string, clientKeyOrInstallationLabel: string, opts: BearerTokenOptions = {}): void {
    this.auth.addBearerToken(token, clientKeyOrInstallationLabel, opts);
  }

  /** Every access token now answers 401 "Access token expired". */
  expireBearerTokens(): void {
    this.auth.expireAll();
  }

  inject(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clearInjections(): void {
    this.faults.clear();
  }

  setLatency(ms: number): void {
    this.latency = ms;
  }

  close(): Promise<void> {
    return shutdown(this.server);
  }
}
