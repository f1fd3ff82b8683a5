import type { HandlerRegistry } from "../pipeline/registry";
import type { Services } from "../core/services";

/** An integration: its settings definition is imported for its side effect; `register` adds its handlers and routes. */
export interface Integration {
  id: string;
  register(registry: HandlerRegistry, services: Services): void;
}

/** Every integration the app ships. Each lives in its own folder with its handlers and its client. */
export const INTEGRATIONS: Integration[] = [];
