import type { Express, Router } from "express";
import type { AuthDeps, BitbucketAuth, CredentialFactories } from "../bitbucket/auth";
import type { BitbucketClient } from "../bitbucket/client";
import type { HttpClient } from "../http/client";
import type { CredentialKind, HostKind } from "../models/installation";
import type { InstallationView } from "./installations";
import type { Services } from "./services";

/**
 * A front door: one way Bitbucket (and its users) reach the app — Connect, Forge, next Data Center.
 * It owns its host kind, the credential kinds of the installations it creates, and its routes
 * (lifecycle, inbound deliveries through `acceptDelivery`, pages, and the host-agnostic JSON API
 * behind its own authentication, which sets the request's `Principal`). Everything behind it (ingest,
 * handlers, settings, integrations) is shared. Its kinds are added to `HostKinds` / `CredentialKinds`
 * / `DeliverySources` by declaration merging in its own folder.
 */
export interface FrontDoor {
  /** The `Installation.host` / `Principal.host` of what this door creates. */
  host: HostKind;
  /** How Bitbucket calls are authorised for each credential kind this door's installations carry. */
  credentials: CredentialFactories;
  /**
   * The REST client of this door's installations (default: the Bitbucket Cloud client). Built by
   * `Services.bitbucketFor` with the installation's auth; Data Center returns its paged DC client.
   */
  client?(http: HttpClient, installation: InstallationView, auth: BitbucketAuth): BitbucketClient;
  /**
   * Whether the host delivers a commit-status event (`repo:commit_status_created|updated`) for the
   * statuses the app posts (default true: Bitbucket Cloud does). False for Data Center, which has no
   * build-status webhook event (datacenter-app.md §2): there the app emits the event itself after
   * each status it posts (`src/core/status-echo.ts`), so build alerts, the review radar's statuses and
   * EventBridge out see the same events on every host.
   */
  commitStatusEvents?: boolean;
  /** Handlers or ingest hooks of its own, registered with the integrations' (before the worker starts). */
  register?(services: Services): void;
  /** Work before the app serves (after migrations; e.g. Data Center: one installation per configured instance). Errors stop start-up. */
  start?(services: Services): Promise<void>;
  /** Periodic work of its own (Data Center: the webhook repair), started where the worker runs and stopped when the app closes. */
  background?(services: Services): { stop(): Promise<void> | void };
  /**
   * Routes of its own in the shared JSON API (behind every door's authentication, the same repository
   * binding and body rule): each must answer 404 to a principal of another host (Data Center: the
   * settings page's webhook section).
   */
  apiRoutes?(services: Services): Router;
  /** Mounts its routes; `api` is the JSON API router to serve behind its authentication. */
  mount(app: Express, services: Services, api: Router): void;
}

/**
 * The front doors of one app instance (held in `Services.doors`). Refuses two doors claiming the
 * same host kind or credential kind, and finds the auth of an installation's credential kind.
 */
export class FrontDoors {
  private readonly factories = new Map<CredentialKind, NonNullable<CredentialFactories[CredentialKind]>>();
  private readonly byHost = new Map<HostKind, FrontDoor>();

  constructor(readonly all: readonly FrontDoor[]) {
    for (const door of all) {
      if (this.byHost.has(door.host)) throw new Error(`two front doors for host ${door.host}`);
      this.byHost.set(door.host, door);
      for (const [kind, factory] of Object.entries(door.credentials) as Array<[CredentialKind, CredentialFactories[CredentialKind]]>) {
        if (!factory) continue;
        if (this.factories.has(kind)) throw new Error(`two front doors declare credential kind ${kind}`);
        this.factories.set(kind, factory);
      }
    }
  }

  /** The door of a host kind, or null when this instance does not serve it. */
  forHost(host: HostKind): FrontDoor | null {
    return this.byHost.get(host) ?? null;
  }

  /** The Bitbucket auth of an installation; throws when no door declares its credential kind. */
  authFor(installation: InstallationView, deps: AuthDeps): BitbucketAuth {
    const factory = this.factories.get(installation.credentialKind);
    if (!factory) throw new Error(`No credential provider for ${installation.credentialKind}`);
    return factory(installation, deps);
  }
}
