import { dataCenterClient, dataCenterErrorMessage, dcRepoPath } from "../../bitbucket/datacenter/client";
import { repositories } from "../../core/repositories";
import type { InstallationView } from "../../core/installations";
import type { Services } from "../../core/services";
import { randomToken } from "../../crypto/secrets";
import { BitbucketAuthError } from "../../bitbucket/client";
import { HttpError, NetworkError, PermanentError } from "../../http/errors";
import { RepoSettingsRecord } from "../../models";
import { advertisedEvents, eventsToRegister, forgetAdvertisedEvents } from "./events";
import { DataCenterWebhookStore, PREVIOUS_SECRET_GRACE_MS, type LastInvocation, type WebhookOutcome, type WebhookRecord, type WebhookSecrets } from "./store";
import type { DataCenterClient } from "../../bitbucket/datacenter/client";

/** The name of the app's webhook on every repository (how it is found again, with its URL). */
export const WEBHOOK_NAME = "bitbucket-relay";

/** `RestWebhook` as DC answers it (9.2 spec; `configuration.secret` holds the signing secret). */
export interface RestWebhook {
  id: number;
  name: string;
  url: string;
  events: string[];
  active: boolean;
  configuration?: Record<string, unknown>;
  sslVerificationRequired?: boolean;
}

/** Where DC delivers: `${BASE_URL}/datacenter/<instance id>/webhook`. */
export function webhookUrl(services: Services, installation: InstallationView): string {
  return `${services.config.baseUrl}${webhookPath(installation)}`;
}

function webhookPath(installation: InstallationView): string {
  if (!installation.hostScope) throw new PermanentError(`installation ${installation.id} is not a Data Center instance`);
  return `/datacenter/${installation.hostScope}/webhook`;
}

export interface SyncResult {
  outcome: WebhookOutcome | "none";
  webhookId: number | null;
  events: string[];
  /** Duplicate webhooks of the app deleted. */
  removedDuplicates: number;
}

/**
 * `PROJ/slug` of a repository the app knows: the repositories table first (kept current by every
 * delivery's translation, so a renamed project or repository is followed), then its webhook row, then
 * its settings.
 */
async function namesOf(installationId: string, repositoryUuid: string, rec: WebhookRecord | null): Promise<{ projectKey: string; slug: string } | null> {
  const known = await repositories.get(installationId, repositoryUuid);
  const parse = (name: string | null | undefined) => {
    const m = name ? /^([^/\s]+)\/([^/\s]+)$/.exec(name) : null;
    return m ? { projectKey: m[1]!, slug: m[2]! } : null;
  };
  const fromTable = parse(known?.displayName);
  if (fromTable) return fromTable;
  if (rec) return { projectKey: rec.projectKey, slug: rec.repositorySlug };
  const settings = await RepoSettingsRecord.findOne({ where: { installationId, repositoryUuid }, attributes: ["repositoryFullName"] });
  return parse(settings?.repositoryFullName);
}

/**
 * Whether any integration is switched on for the repository, so that the app keeps a webhook there:
 * every integration answers (`services.switches`: the settings cards with their effective `enabled`,
 * workspace defaults included; review insights with its own switch).
 */
export function anyIntegrationOn(services: Services, installationId: string, repositoryUuid: string): Promise<boolean> {
  return services.switches.anyOn(installationId, repositoryUuid);
}

/** DC now holds `next`: it becomes current, the old current stays valid for PREVIOUS_SECRET_GRACE_MS. */
function promote(s: WebhookSecrets, now: number): WebhookSecrets {
  if (!s.next) return s;
  return s.current ? { current: s.next, previous: s.current, previousUntil: now + PREVIOUS_SECRET_GRACE_MS } : { current: s.next };
}

function withoutExpired(s: WebhookSecrets, now: number): WebhookSecrets {
  if (!s.previous || (s.previousUntil ?? 0) > now) return s;
  const { previous: _p, previousUntil: _u, ...rest } = s;
  return rest;
}

/**
 * DC's latest invocation of a webhook (`GET …/webhooks/{id}/latest`: 200 `RestDetailedInvocation`,
 * 204 none yet). Undefined when DC does not answer it (older versions, an error): the last known stays.
 */
async function latestInvocation(client: DataCenterClient, hookPath: string): Promise<LastInvocation | null | undefined> {
  try {
    const r = await client.get<{ event?: unknown; finish?: unknown; result?: { outcome?: unknown } } | null>(`${hookPath}/latest`);
    if (!r || typeof r.result?.outcome !== "string") return null;
    return { outcome: r.result.outcome, event: typeof r.event === "string" ? r.event : null, at: typeof r.finish === "number" ? r.finish : null };
  } catch {
    return undefined;
  }
}

/**
 * A failed check in plain words for the settings page (stored as the row's `lastError`), with DC's
 * own message (`dataCenterErrorMessage`) after it. DC answers 401 both for a token it refuses
 * (`BitbucketAuthError`) and for a token without REPO_ADMIN (`AuthorisationException`, a plain 401:
 * `dataCenterError`); 404 when the repository (or its webhook) is gone; 400 for a body it refuses.
 */
export function plainWebhookError(err: unknown, repository: string): string {
  const dc = dataCenterErrorMessage(err);
  const said = (fallback: string) => ` Data Center said: ${dc ?? fallback}`;
  if (err instanceof BitbucketAuthError) return `Data Center refused the app's service token (expired or revoked?).${said(`HTTP ${err.status}`)}`;
  if (err instanceof HttpError) {
    if (err.status === 401 || err.status === 403) return `The app's service token may not manage the webhooks of ${repository}: it needs REPO_ADMIN there.${said(`HTTP ${err.status}`)}`;
    if (err.status === 404) return `Data Center does not find ${repository} (renamed, moved or deleted?).${said("HTTP 404")}`;
    if (err.status === 429 || err.status >= 500) return `Data Center was unavailable (HTTP ${err.status}); the app tries again.${dc ? said(dc) : ""}`;
    return `Data Center refused the app's request (HTTP ${err.status}).${said(`HTTP ${err.status}`)}`;
  }
  if (err instanceof NetworkError) return `Data Center could not be reached; the app tries again. (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}

const union = (a: readonly string[], b: readonly string[]) => [...a, ...b.filter((e) => !a.includes(e))];

/**
 * Registers or repairs the app's webhook on one DC repository, as Atlassian's Jenkins plugin does
 * (datacenter-app.md §6): the repository's webhooks are listed (REPO_ADMIN); the app's are those
 * named {@link WEBHOOK_NAME} delivering to this instance's receiver (or with the stored DC id). One
 * is kept (same URL first), duplicates are deleted, a missing one is created (`POST`, 200) with a
 * fresh random secret in `configuration.secret`; the kept one is `PUT` in full when it lacks an
 * event (events are added, never removed), is inactive, has another URL or TLS setting, or holds
 * another secret (when DC echoes it; UNVERIFIED whether current versions do), or when `rotate`.
 * A new secret is stored (as `next`, accepted by the receiver) before DC gets it, and the old one
 * stays valid for PREVIOUS_SECRET_GRACE_MS after. With no integration switched on, the app's
 * webhooks are deleted. The outcome (or the failure, then rethrown for the retry policy) is stored.
 * Retried: 5xx, 429, timeouts, network errors. Ending the job at once: every other 4xx, including a
 * service token DC refuses (401 `BitbucketAuthError`, which other jobs retry): the token comes from
 * the configuration and changes only with a restart, so a retry minutes later would send the same
 * refused token; after the operator's fix the repair pass (shortly after start-up, then every 15
 * minutes) or "Repair now" syncs again. Throws `PermanentError` with the plain reason for that case.
 */
export async function syncRepositoryWebhook(services: Services, installation: InstallationView, repositoryUuid: string, opts: { rotate?: boolean } = {}): Promise<SyncResult> {
  const store = new DataCenterWebhookStore(services.db, services.box);
  const rec = await store.get(installation.id, repositoryUuid);
  const names = await namesOf(installation.id, repositoryUuid, rec);
  if (!names) throw new PermanentError("the repository's project key and slug are unknown to the app");
  const wanted = await anyIntegrationOn(services, installation.id, repositoryUuid);
  if (!wanted && !rec) return { outcome: "none", webhookId: null, events: [], removedDuplicates: 0 };
  const base = { installationId: installation.id, repositoryUuid, projectKey: names.projectKey, repositorySlug: names.slug, id: rec?.id };
  let secrets = withoutExpired(rec?.secrets ?? {}, Date.now());
  try {
    const client = dataCenterClient(services, installation);
    const path = `${dcRepoPath(names.projectKey, names.slug)}/webhooks`;
    const url = webhookUrl(services, installation);
    const hooks = await client.dcAll<RestWebhook>(path);
    const ours = hooks.filter((h) => h.id === rec?.webhookId || (h.name === WEBHOOK_NAME && (h.url === url || h.url.endsWith(webhookPath(installation)))));
    if (!wanted) {
      for (const h of ours) await client.delete(`${path}/${h.id}`);
      await store.save({ ...base, webhookId: null, secrets: {}, events: [], lastOutcome: "removed", lastError: null, checkedAt: Date.now() });
      return { outcome: "removed", webhookId: null, events: [], removedDuplicates: 0 };
    }
    const events = eventsToRegister(await advertisedEvents(services, installation, client));
    const keep = ours.find((h) => h.url === url && h.name === WEBHOOK_NAME) ?? ours.find((h) => h.id === rec?.webhookId) ?? ours[0];
    const duplicates = ours.filter((h) => h !== keep);
    for (const h of duplicates) await client.delete(`${path}/${h.id}`);
    const ssl = !url.startsWith("http:");
    const handOver = async (): Promise<string> => {
      secrets = { ...secrets, next: secrets.next ?? randomToken(32) };
      await store.save({ ...base, webhookId: keep?.id ?? rec?.webhookId ?? null, secrets, events: rec?.events ?? [], lastOutcome: rec?.lastOutcome ?? "failed", lastError: rec?.lastError ?? null, lastDelivery: rec?.lastDelivery ?? null, checkedAt: rec?.checkedAt ?? Date.now() });
      return secrets.next!;
    };
    let outcome: WebhookOutcome = duplicates.length ? "repaired" : "unchanged";
    let hook: RestWebhook;
    if (!keep) {
      const secret = await handOver();
      hook = await client.post<RestWebhook>(path, { name: WEBHOOK_NAME, url, events, active: true, configuration: { secret }, sslVerificationRequired: ssl });
      secrets = promote(secrets, Date.now());
      outcome = "registered";
    } else {
      hook = keep;
      const echoed = typeof keep.configuration?.secret === "string" ? keep.configuration.secret : undefined;
      if (echoed && echoed === secrets.next) secrets = promote(secrets, Date.now()); // a hand-over that was cut short
      const newSecret = opts.rotate === true || !secrets.current || (echoed !== undefined && echoed !== secrets.current);
      const missing = events.filter((e) => !keep.events.includes(e));
      const stale = missing.length > 0 || !keep.active || keep.url !== url || keep.name !== WEBHOOK_NAME || (keep.sslVerificationRequired ?? true) !== ssl;
      if (stale || newSecret) {
        const secret = newSecret ? await handOver() : secrets.current!;
        const body = { name: WEBHOOK_NAME, url, events: union(keep.events, events), active: true, configuration: { ...keep.configuration, secret }, sslVerificationRequired: ssl };
        hook = await client.put<RestWebhook>(`${path}/${keep.id}`, body);
        if (newSecret) secrets = promote(secrets, Date.now());
        outcome = "repaired";
      }
    }
    const delivery = await latestInvocation(client, `${path}/${hook.id}`);
    const lastDelivery = delivery === undefined ? (rec?.webhookId === hook.id ? rec.lastDelivery : null) : delivery;
    const saved = await store.save({ ...base, webhookId: hook.id, secrets, events: hook.events ?? events, lastOutcome: outcome, lastError: null, lastDelivery, checkedAt: Date.now() });
    return { outcome, webhookId: saved.webhookId, events: saved.events, removedDuplicates: duplicates.length };
  } catch (err) {
    if (err instanceof HttpError && err.status === 400) forgetAdvertisedEvents(services, installation.id);
    const reason = plainWebhookError(err, `${names.projectKey}/${names.slug}`);
    const latest = await store.get(installation.id, repositoryUuid);
    await store.save({ ...base, webhookId: latest?.webhookId ?? null, secrets: latest?.secrets ?? secrets, events: latest?.events ?? [], lastOutcome: "failed", lastError: reason, lastDelivery: latest?.lastDelivery ?? null, checkedAt: Date.now() });
    throw err instanceof BitbucketAuthError ? new PermanentError(reason) : err;
  }
}
