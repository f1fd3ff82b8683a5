import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The methods the app sends (the HTTP client's, and POST for AWS JSON-protocol calls). The longest,
 * DELETE, is 6 characters: `outbound_calls.method` is VARCHAR(8), so a new method longer than 8
 * characters needs a migration first (this type is where it would be added).
 */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";

/** One outbound call, as the activity log shows it. */
export interface OutboundCall {
  target: string;
  method: HttpMethod;
  url: string;
  status: number | null;
  durationMs: number;
  error?: string;
}

const scope = new AsyncLocalStorage<OutboundCall[]>();

/** Runs `fn` collecting every outbound call made inside it (the worker wraps each job in one). */
export async function collectCalls<T>(fn: () => Promise<T>): Promise<{ calls: OutboundCall[]; result?: T; error?: unknown }> {
  const calls: OutboundCall[] = [];
  try {
    const result = await scope.run(calls, fn);
    return { calls, result };
  } catch (error) {
    return { calls, error };
  }
}

export function recordCall(call: OutboundCall): void {
  scope.getStore()?.push(call);
}
