import type { Transaction } from "sequelize";

/**
 * How one integration answers "is it switched on for a repository?" — whatever it keeps its switch in
 * (the settings cards: their documents' `enabled`, workspace defaults included; review insights: its
 * own `review_insights_repositories` row). Repository ids are the door-minted ones.
 */
export interface SwitchSource {
  /** The integration(s) it answers for (logs, tests). */
  name: string;
  /** Whether the integration is on for the repository and so wants its events. */
  isOn(installationId: string, repositoryUuid: string): Promise<boolean>;
  /** The repositories of an installation it is on for (a repair pass's candidates; any order). */
  repositoriesOn(installationId: string): Promise<string[]>;
}

/** An integration switched on or off (or its switch changed in the installation-wide defaults). */
export interface SwitchChange {
  installationId: string;
  /** The repository; null for the installation-wide defaults (every repository may be concerned). */
  repositoryUuid: string | null;
  integration: string;
}

/**
 * Runs in the transaction that saves the switch (database writes only, e.g. enqueue a job; no HTTP).
 * A listener that throws fails the save.
 */
export type SwitchListener = (change: SwitchChange, transaction: Transaction) => Promise<void>;

/**
 * The one place the core asks whether any integration wants a repository's events, and hears of an
 * integration being switched on or off (held in `Services.switches`). Every integration answers through
 * a registered `SwitchSource` (the settings cards through one source, src/settings/switches.ts; others
 * in their `register`) and announces its changes with `switched`; a front door that must act on them
 * listens with `onSwitch` (Data Center: queue the repository's webhook sync). Cloud doors do not listen.
 */
export class IntegrationSwitches {
  private readonly sources: SwitchSource[] = [];
  private readonly listeners: SwitchListener[] = [];

  register(source: SwitchSource): void {
    if (this.sources.some((s) => s.name === source.name)) throw new Error(`two switch sources named ${source.name}`);
    this.sources.push(source);
  }

  /** The registered sources' names (tests, diagnostics). */
  names(): string[] {
    return this.sources.map((s) => s.name);
  }

  /** Whether any integration is on for the repository (stops at the first that says yes). */
  async anyOn(installationId: string, repositoryUuid: string): Promise<boolean> {
    for (const s of this.sources) if (await s.isOn(installationId, repositoryUuid)) return true;
    return false;
  }

  /** Every repository of an installation that some integration is on for (sorted, no duplicates). */
  async repositoriesOn(installationId: string): Promise<string[]> {
    const ids = new Set<string>();
    for (const s of this.sources) for (const id of await s.repositoriesOn(installationId)) ids.add(id);
    return [...ids].sort();
  }

  onSwitch(listener: SwitchListener): void {
    this.listeners.push(listener);
  }

  /** Announces a switch change to every listener, in the transaction that saves it. */
  async switched(change: SwitchChange, transaction: Transaction): Promise<void> {
    for (const l of this.listeners) await l(change, transaction);
  }
}
