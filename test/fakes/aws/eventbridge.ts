import { randomUUID } from "node:crypto";
import type http from "node:http";
import { AwsFakeError, AwsJsonServer, AwsServiceFake, type InjectRule, type RecordedAwsCall } from "./json-server";

/**
 * A local Amazon EventBridge (awsJson1_1, `X-Amz-Target: AWSEvents.<Operation>`, SigV4 scope `events`),
 * driven by the real `@aws-sdk/client-eventbridge` through `AWS_ENDPOINT_URL_EVENTBRIDGE` or an explicit
 * `endpoint`. It keeps state like the service does:
 *
 * - **PutEvents**: 1–10 entries (ValidationException otherwise), total entry size checked against
 *   `maxEntryBytes` (size computed as AWS documents it: 14 bytes for Time + UTF-8 bytes of Source,
 *   DetailType, Detail and every Resources entry), per-entry errors in a 200 answer
 *   (`FailedEntryCount`, `Entries[i].ErrorCode`), accepted events kept in `events`. Per-entry failures
 *   are injected with `failEntries(...)`; whole-call errors with `inject(...)`.
 * - **Control plane**: connections, API destinations, rules and targets, with ResourceNotFoundException,
 *   ResourceAlreadyExistsException, ValidationException and InvalidEventPatternException where AWS
 *   answers them. Secret values (API keys) are kept but never returned by Describe*.
 *
 * Concessions for tests: any bus name is accepted unless `knownBuses` is given (or `createBus` /
 * CreateEventBus was used, which makes bus names strict); API destination endpoints must be https,
 * except http on 127.0.0.1 / localhost.
 */

export interface FakeEventBridgeOptions {
  /** Size limit of one PutEvents request (sum of its entries). AWS: 256 KB historically, 1 MB since 2026-01-29. */
  maxEntryBytes?: number;
  accountId?: string;
  /** Buses that exist ("default" always does). When given, PutEvents/PutRule on another bus fail. */
  knownBuses?: string[];
}

export interface StoredEvent {
  eventId: string;
  bus: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  /** The Detail string as sent. */
  rawDetail: string;
  time: number | null;
  resources: string[];
  region: string;
  sizeBytes: number;
}

export interface EntryFailureRule {
  errorCode: string;
  errorMessage?: string;
  /** How many matching entries fail (default 1). */
  times?: number;
  match?: (entry: { source: string; detailType: string; detail: string }) => boolean;
}

interface Connection {
  Name: string;
  ConnectionArn: string;
  ConnectionState: string;
  AuthorizationType: string;
  AuthParameters: Record<string, unknown>;
  Description?: string;
  SecretArn: string;
  CreationTime: number;
  LastModifiedTime: number;
  LastAuthorizedTime: number;
}

interface ApiDestination {
  Name: string;
  ApiDestinationArn: string;
  ApiDestinationState: string;
  ConnectionArn: string;
  InvocationEndpoint: string;
  HttpMethod: string;
  InvocationRateLimitPerSecond: number;
  Description?: string;
  CreationTime: number;
  LastModifiedTime: number;
}

interface Rule {
  Name: string;
  Arn: string;
  EventBusName: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: string;
  Description?: string;
  RoleArn?: string;
  targets: Map<string, Record<string, unknown>>;
}

type Input = Record<string, unknown>;

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const HTTP_METHODS = ["POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"];
const AUTH_TYPES = ["API_KEY", "BASIC", "OAUTH_CLIENT_CREDENTIALS"];
const MAX_TARGETS_PER_RULE = 5;

const now = () => Math.round(Date.now()) / 1000;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const validation = (message: string) => new AwsFakeError("ValidationException", 400, message);
const notFound = (message: string) => new AwsFakeError("ResourceNotFoundException", 400, message);

function regionOf(headers: http.IncomingHttpHeaders): string {
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/events\/aws4_request/.exec(String(headers.authorization ?? ""));
  return m?.[1] ?? "us-east-1";
}

/** The size AWS counts for one entry (eb-putevent-size.md). */
export function entrySize(entry: { Time?: unknown; Source?: unknown; DetailType?: unknown; Detail?: unknown; Resources?: unknown }): number {
  let size = entry.Time !== undefined ? 14 : 0;
  for (const f of [entry.Source, entry.DetailType, entry.Detail]) if (typeof f === "string") size += Buffer.byteLength(f, "utf8");
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) if (typeof r === "string") size += Buffer.byteLength(r, "utf8");
  return size;
}

export class FakeEventBridge extends AwsServiceFake {
  readonly server: AwsJsonServer;
  readonly events: StoredEvent[] = [];
  readonly maxEntryBytes: number;
  readonly accountId: string;
  private buses: Set<string> | null;
  private readonly entryFailures: EntryFailureRule[] = [];
  private readonly connections = new Map<string, Connection>();
  private readonly destinations = new Map<string, ApiDestination>();
  private readonly rules = new Map<string, Rule>();

  constructor(opts: FakeEventBridgeOptions = {}) {
    super();
    this.maxEntryBytes = opts.maxEntryBytes ?? 256 * 1024;
    this.accountId = opts.accountId ?? "123456789012";
    this.buses = opts.knownBuses ? new Set(["default", ...opts.knownBuses]) : null;
    const op = (fn: (input: Input, region: string) => unknown) => (input: Input, headers: http.IncomingHttpHeaders) =>
      fn(input, regionOf(headers));
    this.server = new AwsJsonServer({
      protocol: "1.1",
      targetPrefix: "AWSEvents",
      service: "events",
      operations: {
        PutEvents: op((i, r) => this.putEvents(i, r)),
        CreateEventBus: op((i, r) => this.createEventBus(i, r)),
        DescribeEventBus: op((i, r) => this.describeEventBus(i, r)),
        CreateConnection: op((i, r) => this.createConnection(i, r)),
        UpdateConnection: op((i) => this.updateConnection(i)),
        DescribeConnection: op((i) => this.describeConnection(i)),
        DeleteConnection: op((i) => this.deleteConnection(i)),
        CreateApiDestination: op((i, r) => this.createApiDestination(i, r)),
        UpdateApiDestination: op((i) => this.updateApiDestination(i)),
        DescribeApiDestination: op((i) => this.describeApiDestination(i)),
        DeleteApiDestination: op((i) => this.deleteApiDestination(i)),
        PutRule: op((i, r) => this.putRule(i, r)),
        DescribeRule: op((i) => this.describeRule(i)),
        DeleteRule: op((i) => this.deleteRule(i)),
        PutTargets: op((i) => this.putTargets(i)),
        ListTargetsByRule: op((i) => this.listTargetsByRule(i)),
        RemoveTargets: op((i) => this.removeTargets(i)),
      },
    });
  }

  static async start(opts: FakeEventBridgeOptions = {}): Promise<FakeEventBridge> {
    const fake = new FakeEventBridge(opts);
    await fake.server.start();
    return fake;
  }


  /** Makes the next matching PutEvents entries fail inside a 200 answer (FailedEntryCount > 0). */
  failEntries(rule: EntryFailureRule): void {
    this.entryFailures.push({ times: 1, ...rule });
  }

  /** Makes a bus exist (and bus names strict from now on). */
  createBus(name: string): void {
    if (this.buses) this.buses.add(name);
    else this.buses = new Set(["default", name]);
  }

  eventsOn(bus: string): StoredEvent[] {
    return this.events.filter((e) => e.bus === bus);
  }

  /** State views for assertions. */
  connection(name: string): Readonly<Connection> | undefined {
    return this.connections.get(name);
  }

  apiDestination(name: string): Readonly<ApiDestination> | undefined {
    return this.destinations.get(name);
  }

  rule(name: string, bus = "default"): { rule: Readonly<Omit<Rule, "targets">>; targets: Record<string, unknown>[] } | undefined {
    const r = this.rules.get(this.ruleKey(bus, name));
    if (!r) return undefined;
    const { targets, ...rule } = r;
    return { rule, targets: [...targets.values()] };
  }

  reset(): void {
    this.server.calls.length = 0;
    this.events.length = 0;
    this.entryFailures.length = 0;
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  // ---- helpers

  private arn(region: string, resource: string): string {
    return `arn:aws:events:${region}:${this.accountId}:${resource}`;
  }

  /** Bus names may be given as ARNs (`arn:aws:events:<region>:<acct>:event-bus/<name>`). */
  private busName(value: unknown): string {
    const v = str(value) ?? "default";
    const m = /^arn:aws[a-z-]*:events:[^:]*:\d{12}:event-bus\/(.+)$/.exec(v);
    return m ? m[1]! : v;
  }

  private requireBus(bus: string): void {
    if (this.buses && !this.buses.has(bus)) throw notFound(`Event bus ${bus} does not exist.`);
  }

  private ruleKey(bus: string, name: string) {
    return `${bus}|${name}`;
  }

  private findRule(input: Input): Rule {
    const bus = this.busName(input.EventBusName);
    const name = str(input.Rule) ?? str(input.Name) ?? "";
    const r = this.rules.get(this.ruleKey(bus, name));
    if (!r) throw notFound(`Rule ${name} does not exist on EventBus ${bus}.`);
    return r;
  }

  private takeEntryFailure(entry: { source: string; detailType: string; detail: string }): EntryFailureRule | undefined {
    const rule = this.entryFailures.find((r) => (r.times ?? 0) > 0 && (!r.match || r.match(entry)));
    if (rule) rule.times = (rule.times ?? 1) - 1;
    return rule;
  }

  // ---- data plane

  private putEvents(input: Input, region: string) {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10");
    }
    const total = entries.reduce<number>((n, e) => n + entrySize(e as Input), 0);
    if (total > this.maxEntryBytes) throw validation("Total size of the entries in the request is over the limit.");
    const out: Array<Record<string, string>> = [];
    let failed = 0;
    for (const raw of entries as Input[]) {
      const fail = (ErrorCode: string, ErrorMessage: string) => {
        failed++;
        out.push({ ErrorCode, ErrorMessage });
      };
      const source = str(raw.Source);
      const detailType = str(raw.DetailType);
      const detail = str(raw.Detail);
      if (!source || !detailType || detail === undefined) {
        fail("InvalidArgument", "Parameters Source, DetailType and Detail are required.");
        continue;
      }
      if (source.startsWith("aws.")) {
        fail("NotAuthorizedForSourceException", "Not authorized for the source.");
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(detail);
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        fail("MalformedDetail", "Detail is malformed.");
        continue;
      }
      const bus = this.busName(raw.EventBusName);
      if (this.buses && !this.buses.has(bus)) {
        fail("ResourceNotFoundException", `Event bus ${bus} does not exist.`);
        continue;
      }
      const injected = this.takeEntryFailure({ source, detailType, detail });
      if (injected) {
        fail(injected.errorCode, injected.errorMessage ?? "injected failure");
        continue;
      }
      const eventId = randomUUID();
      this.events.push({
        eventId,
        bus,
        source,
        detailType,
        detail: parsed as Record<string, unknown>,
        rawDetail: detail,
        time: typeof raw.Time === "number" ? raw.Time : null,
        resources: Array.isArray(raw.Resources) ? (raw.Resources as unknown[]).map(String) : [],
        region,
        sizeBytes: entrySize(raw),
      });
      out.push({ EventId: eventId });
    }
    return { FailedEntryCount: failed, Entries: out };
  }

  private createEventBus(input: Input, region: string) {
    const name = str(input.Name) ?? "";
    if (!name || name === "default") throw validation("Event bus name is invalid.");
    if (this.buses?.has(name)) throw new AwsFakeError("ResourceAlreadyExistsException", 400, `Event bus ${name} already exists.`);
    this.createBus(name);
    return { EventBusArn: this.arn(region, `event-bus/${name}`) };
  }

  private describeEventBus(input: Input, region: string) {
    const name = this.busName(input.Name);
    this.requireBus(name);
    return { Name: name, Arn: this.arn(region, `event-bus/${name}`) };
  }

  // ---- connections

  private createConnection(input: Input, region: string) {
    const name = str(input.Name) ?? "";
    if (!NAME.test(name)) throw validation("1 validation error detected: Value at 'name' failed to satisfy constraint");
    const type = str(input.AuthorizationType) ?? "";
    if (!AUTH_TYPES.includes(type)) throw validation(`1 validation error detected: Value '${type}' at 'authorizationType' failed to satisfy constraint`);
    const params = input.AuthParameters as Input | undefined;
    if (!params || typeof params !== "object") throw validation("AuthParameters is required.");
    if (type === "API_KEY") {
      const k = params.ApiKeyAuthParameters as Input | undefined;
      if (!str(k?.ApiKeyName) || !str(k?.ApiKeyValue)) throw validation("ApiKeyAuthParameters with ApiKeyName and ApiKeyValue is required for API_KEY.");
    }
    if (this.connections.has(name)) throw new AwsFakeError("ResourceAlreadyExistsException", 400, `Connection ${name} already exists.`);
    const t = now();
    const c: Connection = {
      Name: name,
      ConnectionArn: this.arn(region, `connection/${name}/${randomUUID()}`),
      ConnectionState: "AUTHORIZED",
      AuthorizationType: type,
      AuthParameters: params,
      Description: str(input.Description),
      SecretArn: `arn:aws:secretsmanager:${region}:${this.accountId}:secret:events!connection/${name}/${randomUUID()}`,
      CreationTime: t,
      LastModifiedTime: t,
      LastAuthorizedTime: t,
    };
    this.connections.set(name, c);
    return { ConnectionArn: c.ConnectionArn, ConnectionState: c.ConnectionState, CreationTime: t, LastModifiedTime: t };
  }

  private getConnection(input: Input): Connection {
    const name = str(input.Name) ?? "";
    const c = this.connections.get(name);
    if (!c) throw notFound(`Failed to describe the connection(s). Connection '${name}' does not exist.`);
    return c;
  }

  private updateConnection(input: Input) {
    const c = this.getConnection(input);
    if (input.AuthorizationType !== undefined) {
      const type = str(input.AuthorizationType) ?? "";
      if (!AUTH_TYPES.includes(type)) throw validation(`Value '${type}' at 'authorizationType' failed to satisfy constraint`);
      c.AuthorizationType = type;
    }
    if (input.AuthParameters && typeof input.AuthParameters === "object") {
      c.AuthParameters = mergeAuth(c.AuthParameters, input.AuthParameters as Input);
    }
    if (input.Description !== undefined) c.Description = str(input.Description);
    c.LastModifiedTime = now();
    c.LastAuthorizedTime = c.LastModifiedTime;
    return {
      ConnectionArn: c.ConnectionArn,
      ConnectionState: c.ConnectionState,
      CreationTime: c.CreationTime,
      LastModifiedTime: c.LastModifiedTime,
      LastAuthorizedTime: c.LastAuthorizedTime,
    };
  }

  private describeConnection(input: Input) {
    const c = this.getConnection(input);
    return {
      ConnectionArn: c.ConnectionArn,
      Name: c.Name,
      Description: c.Description,
      ConnectionState: c.ConnectionState,
      AuthorizationType: c.AuthorizationType,
      AuthParameters: redactAuth(c.AuthParameters),
      SecretArn: c.SecretArn,
      CreationTime: c.CreationTime,
      LastModifiedTime: c.LastModifiedTime,
      LastAuthorizedTime: c.LastAuthorizedTime,
    };
  }

  private deleteConnection(input: Input) {
    const c = this.getConnection(input);
    this.connections.delete(c.Name);
    return { ConnectionArn: c.ConnectionArn, ConnectionState: "DELETING", CreationTime: c.CreationTime, LastModifiedTime: now(), LastAuthorizedTime: c.LastAuthorizedTime };
  }

  // ---- API destinations

  private checkEndpoint(url: string): void {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw validation("InvocationEndpoint is not a valid URL.");
    }
    const loopback = u.hostname === "127.0.0.1" || u.hostname === "localhost";
    if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) throw validation("InvocationEndpoint must use HTTPS.");
    if (url.length > 2048) throw validation("InvocationEndpoint is longer than 2048 characters.");
  }

  private connectionByArn(arn: string): Connection {
    const c = [...this.connections.values()].find((x) => x.ConnectionArn === arn);
    if (!c) throw notFound(`Connection ${arn} does not exist.`);
    return c;
  }

  private createApiDestination(input: Input, region: string) {
    const name = str(input.Name) ?? "";
    if (!NAME.test(name)) throw validation("1 validation error detected: Value at 'name' failed to satisfy constraint");
    const endpoint = str(input.InvocationEndpoint) ?? "";
    this.checkEndpoint(endpoint);
    const method = str(input.HttpMethod) ?? "";
    if (!HTTP_METHODS.includes(method)) throw validation(`Value '${method}' at 'httpMethod' failed to satisfy constraint`);
    const rate = input.InvocationRateLimitPerSecond === undefined ? 300 : Number(input.InvocationRateLimitPerSecond);
    if (!Number.isInteger(rate) || rate < 1) throw validation("InvocationRateLimitPerSecond must be at least 1.");
    const connection = this.connectionByArn(str(input.ConnectionArn) ?? "");
    if (this.destinations.has(name)) throw new AwsFakeError("ResourceAlreadyExistsException", 400, `An api-destination '${name}' already exists.`);
    const t = now();
    const d: ApiDestination = {
      Name: name,
      ApiDestinationArn: this.arn(region, `api-destination/${name}/${randomUUID()}`),
      ApiDestinationState: "ACTIVE",
      ConnectionArn: connection.ConnectionArn,
      InvocationEndpoint: endpoint,
      HttpMethod: method,
      InvocationRateLimitPerSecond: rate,
      Description: str(input.Description),
      CreationTime: t,
      LastModifiedTime: t,
    };
    this.destinations.set(name, d);
    return { ApiDestinationArn: d.ApiDestinationArn, ApiDestinationState: d.ApiDestinationState, CreationTime: t, LastModifiedTime: t };
  }

  private getDestination(input: Input): ApiDestination {
    const name = str(input.Name) ?? "";
    const d = this.destinations.get(name);
    if (!d) throw notFound(`Failed to describe the api-destination(s). An api-destination '${name}' does not exist.`);
    return d;
  }

  private updateApiDestination(input: Input) {
    const d = this.getDestination(input);
    if (input.InvocationEndpoint !== undefined) {
      const endpoint = str(input.InvocationEndpoint) ?? "";
      this.checkEndpoint(endpoint);
      d.InvocationEndpoint = endpoint;
    }
    if (input.HttpMethod !== undefined) {
      const method = str(input.HttpMethod) ?? "";
      if (!HTTP_METHODS.includes(method)) throw validation(`Value '${method}' at 'httpMethod' failed to satisfy constraint`);
      d.HttpMethod = method;
    }
    if (input.ConnectionArn !== undefined) d.ConnectionArn = this.connectionByArn(str(input.ConnectionArn) ?? "").ConnectionArn;
    if (input.InvocationRateLimitPerSecond !== undefined) d.InvocationRateLimitPerSecond = Number(input.InvocationRateLimitPerSecond);
    if (input.Description !== undefined) d.Description = str(input.Description);
    d.LastModifiedTime = now();
    return { ApiDestinationArn: d.ApiDestinationArn, ApiDestinationState: d.ApiDestinationState, CreationTime: d.CreationTime, LastModifiedTime: d.LastModifiedTime };
  }

  private describeApiDestination(input: Input) {
    return { ...this.getDestination(input) };
  }

  private deleteApiDestination(input: Input) {
    const d = this.getDestination(input);
    this.destinations.delete(d.Name);
    return {};
  }

  // ---- rules and targets

  private putRule(input: Input, region: string) {
    const name = str(input.Name) ?? "";
    if (!NAME.test(name)) throw validation("1 validation error detected: Value at 'name' failed to satisfy constraint");
    const bus = this.busName(input.EventBusName);
    this.requireBus(bus);
    const pattern = str(input.EventPattern);
    const schedule = str(input.ScheduleExpression);
    if (!pattern && !schedule) throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
    if (pattern) {
      if (pattern.length > 2048) throw new AwsFakeError("InvalidEventPatternException", 400, "Event pattern is longer than 2048 characters.");
      let parsed: unknown;
      try {
        parsed = JSON.parse(pattern);
      } catch {
        throw new AwsFakeError("InvalidEventPatternException", 400, "Event pattern is not valid. Reason: not JSON");
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new AwsFakeError("InvalidEventPatternException", 400, "Event pattern is not valid. Reason: must be a JSON object");
      }
    }
    const state = str(input.State) ?? "ENABLED";
    if (!["ENABLED", "DISABLED"].includes(state)) throw validation(`Value '${state}' at 'state' failed to satisfy constraint`);
    const key = this.ruleKey(bus, name);
    const arn = this.arn(region, bus === "default" ? `rule/${name}` : `rule/${bus}/${name}`);
    const existing = this.rules.get(key);
    const rule: Rule = {
      Name: name,
      Arn: arn,
      EventBusName: bus,
      EventPattern: pattern,
      ScheduleExpression: schedule,
      State: state,
      Description: str(input.Description),
      RoleArn: str(input.RoleArn),
      targets: existing?.targets ?? new Map(),
    };
    this.rules.set(key, rule);
    return { RuleArn: arn };
  }

  private describeRule(input: Input) {
    const r = this.findRule(input);
    return {
      Name: r.Name,
      Arn: r.Arn,
      EventPattern: r.EventPattern,
      ScheduleExpression: r.ScheduleExpression,
      State: r.State,
      Description: r.Description,
      RoleArn: r.RoleArn,
      EventBusName: r.EventBusName,
      CreatedBy: this.accountId,
    };
  }

  private deleteRule(input: Input) {
    const bus = this.busName(input.EventBusName);
    const r = this.rules.get(this.ruleKey(bus, str(input.Name) ?? ""));
    if (!r) return {}; // AWS: deleting a rule that does not exist succeeds
    if (r.targets.size && input.Force !== true) throw validation("Rule can't be deleted since it has targets.");
    this.rules.delete(this.ruleKey(bus, r.Name));
    return {};
  }

  private putTargets(input: Input) {
    const r = this.findRule(input);
    const targets = input.Targets;
    if (!Array.isArray(targets) || targets.length < 1 || targets.length > 10) {
      throw validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10");
    }
    const failed: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
    for (const t of targets as Input[]) {
      const id = str(t.Id) ?? "";
      const arn = str(t.Arn) ?? "";
      if (!id || !arn) throw validation("Targets must have Id and Arn.");
      if (!r.targets.has(id) && r.targets.size >= MAX_TARGETS_PER_RULE) {
        failed.push({ TargetId: id, ErrorCode: "LimitExceededException", ErrorMessage: `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).` });
        continue;
      }
      if (arn.includes(":api-destination/")) {
        if (![...this.destinations.values()].some((d) => d.ApiDestinationArn === arn)) {
          failed.push({ TargetId: id, ErrorCode: "ResourceNotFoundException", ErrorMessage: `Api destination ${arn} does not exist.` });
          continue;
        }
        if (!str(t.RoleArn)) {
          failed.push({ TargetId: id, ErrorCode: "ValidationException", ErrorMessage: "RoleArn is required for target with an api-destination ARN." });
          continue;
        }
      }
      r.targets.set(id, t);
    }
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  private listTargetsByRule(input: Input) {
    const r = this.findRule(input);
    return { Targets: [...r.targets.values()] };
  }

  private removeTargets(input: Input) {
    const r = this.findRule(input);
    const ids = Array.isArray(input.Ids) ? (input.Ids as unknown[]).map(String) : [];
    if (!ids.length) throw validation("Ids must have at least 1 item.");
    for (const id of ids) r.targets.delete(id);
    return { FailedEntryCount: 0, FailedEntries: [] };
  }
}

function mergeAuth(current: Input, patch: Input): Input {
  const out: Input = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    out[k] = v && typeof v === "object" && !Array.isArray(v) && current[k] && typeof current[k] === "object" ? { ...(current[k] as Input), ...(v as Input) } : v;
  }
  return out;
}

/** Describe* never returns secret values (API key values, passwords, client secrets). */
function redactAuth(params: Input): Input {
  const out: Input = {};
  const api = params.ApiKeyAuthParameters as Input | undefined;
  if (api) out.ApiKeyAuthParameters = { ApiKeyName: api.ApiKeyName };
  const basic = params.BasicAuthParameters as Input | undefined;
  if (basic) out.BasicAuthParameters = { Username: basic.Username };
  const oauth = params.OAuthParameters as Input | undefined;
  if (oauth) {
    const { ClientParameters, ...rest } = oauth;
    out.OAuthParameters = { ...rest, ClientParameters: { ClientID: (ClientParameters as Input | undefined)?.ClientID } };
  }
  if (params.InvocationHttpParameters) out.InvocationHttpParameters = params.InvocationHttpParameters;
  return out;
}
