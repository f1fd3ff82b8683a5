import autocannon from "autocannon";
import type { BenchRequest } from "./payloads";

export interface LoadOptions {
  url: string;
  /** Requests per second over all connections. */
  rate: number;
  seconds: number;
  /**
   * Send exactly this many requests instead, each connection sending its next once answered (closed
   * loop, no rate): the steady probe for CPU per request on a machine too busy to hold a rate.
   */
  amount?: number;
  connections?: number;
  /** A new request (fresh delivery id, fresh signature) for every send. */
  next(): BenchRequest;
}

export interface LoadFigures {
  sent: number;
  completed: number;
  acked: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  maxMs: number;
  /** Acknowledged requests per second over the run. */
  ackedPerSecond: number;
  durationS: number;
  /** Idempotency keys of the requests answered 2xx (compared with what the database holds). */
  ackedIds: Set<string>;
}

/**
 * Drives `rate` req/s for `seconds` with autocannon (latencies corrected for coordinated omission,
 * so a server that falls behind shows it). Every request is built afresh by `next()`.
 */
export function runLoad(o: LoadOptions): Promise<LoadFigures> {
  const first = o.next();
  const ackedIds = new Set<string>();
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: o.url,
        connections: o.connections ?? Number(process.env.BENCH_CONNECTIONS ?? 250),
        ...(o.amount ? { amount: o.amount } : { overallRate: o.rate, duration: o.seconds }),
        timeout: 30,
        requests: [
          {
            ...first,
            setupRequest: (req, context) => {
              const r = o.next();
              context.id = r.id;
              return { ...req, method: r.method, path: r.path, headers: r.headers, body: r.body };
            },
            onResponse: (status, _body, context) => {
              if (status >= 200 && status < 300 && typeof context.id === "string") ackedIds.add(context.id);
            },
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        const acked = result["2xx"];
        resolve({
          sent: result.requests.sent,
          completed: result.requests.total,
          acked,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          p50: result.latency.p50,
          p99: result.latency.p99,
          maxMs: result.latency.max,
          ackedPerSecond: acked / result.duration,
          durationS: result.duration,
          ackedIds,
        });
      },
    );
  });
}
