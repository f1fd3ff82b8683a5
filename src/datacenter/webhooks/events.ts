import type { DataCenterClient } from "../../bitbucket/datacenter/client";
import type { InstallationView } from "../../core/installations";
import type { Services } from "../../core/services";
import { HttpError } from "../../http/errors";
import { DC_EVENT_KEYS } from "../events/payloads";

/**
 * The DC event keys the app's webhook subscribes to: everything the integrations read once mapped
 * (pushes for Proton/S3 and EventBridge out; pull requests and reviews for the review radar and
 * EventBridge out), in DC's words (`pr:reviewer:needs_work`, not `changes_requested`: datacenter-app.md §0.1).
 */
export const WANTED_EVENTS: readonly string[] = DC_EVENT_KEYS;

/**
 * Keys only some instances know: registered only when the instance's webhooks capability lists them
 * (Atlassian's Jenkins plugin does the same for `pr:from_ref_updated`; datacenter-app.md §2, §6).
 * DC refuses a create with any key it does not know, so one unknown key would fail the whole webhook.
 */
export const OPTIONAL_EVENTS: readonly string[] = ["pr:from_ref_updated"];

const CAPABILITY_TTL_MS = 60 * 60_000;
const cache = new WeakMap<Services, Map<string, { events: string[] | null; at: number }>>();

/** The path under `/rest` of a capability URL DC gave (its own base URL may differ from the configured one); null otherwise. */
function pathUnderRest(href: string): string | null {
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    return null;
  }
  const i = u.pathname.indexOf("/rest/");
  return i < 0 ? null : u.pathname.slice(i + "/rest".length);
}

/**
 * The event keys the instance advertises: `GET /rest/capabilities` → `capabilities.webhooks` URL →
 * `{"application-webhooks": [...]}` (6.5+). Null when the instance has no webhooks capability (404,
 * or none listed). Asked once an hour per installation. Errors other than 404 are thrown (retried).
 */
export async function advertisedEvents(services: Services, installation: InstallationView, client: DataCenterClient, now = Date.now()): Promise<string[] | null> {
  let perServices = cache.get(services);
  if (!perServices) cache.set(services, (perServices = new Map()));
  const hit = perServices.get(installation.id);
  if (hit && now - hit.at < CAPABILITY_TTL_MS) return hit.events;
  let events: string[] | null = null;
  try {
    const root = await client.get<{ capabilities?: Record<string, unknown> }>("/capabilities");
    const href = root?.capabilities?.webhooks;
    const path = typeof href === "string" ? pathUnderRest(href) : null;
    if (path) {
      const caps = await client.get<{ "application-webhooks"?: unknown }>(path);
      const list = caps?.["application-webhooks"];
      events = Array.isArray(list) ? list.filter((e): e is string => typeof e === "string") : null;
    }
  } catch (err) {
    if (!(err instanceof HttpError && err.status === 404)) throw err;
  }
  perServices.set(installation.id, { events, at: now });
  return events;
}

/** Forgets what an installation's instance advertised (DC refused a webhook: it may have been upgraded or downgraded). */
export function forgetAdvertisedEvents(services: Services, installationId: string): void {
  cache.get(services)?.delete(installationId);
}

/** The keys to register: the wanted ones the instance advertises; without a capability list, all but the optional ones. */
export function eventsToRegister(advertised: readonly string[] | null): string[] {
  if (!advertised) return WANTED_EVENTS.filter((e) => !OPTIONAL_EVENTS.includes(e));
  return WANTED_EVENTS.filter((e) => advertised.includes(e));
}
