import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics of one app instance. */
export class Metrics {
  readonly registry = new Registry();
  readonly deliveriesReceived = new Counter({
    name: "relay_deliveries_received_total",
    help: "Inbound events stored and acknowledged",
    labelNames: ["source", "event"] as const,
    registers: [this.registry],
  });
  readonly deliveriesDuplicate = new Counter({
    name: "relay_deliveries_duplicate_total",
    help: "Inbound events acknowledged as duplicates",
    labelNames: ["source"] as const,
    registers: [this.registry],
  });
  readonly deliveriesShed = new Counter({
    name: "relay_deliveries_shed_total",
    help: "Inbound events refused with 503 because too many were waiting to be stored (INGEST_MAX_PENDING_BYTES)",
    labelNames: ["source"] as const,
    registers: [this.registry],
  });
  readonly jobsProcessed = new Counter({
    name: "relay_jobs_processed_total",
    help: "Jobs that ended done or ignored",
    labelNames: ["handler", "outcome"] as const,
    registers: [this.registry],
  });
  readonly jobsFailed = new Counter({
    name: "relay_jobs_failed_total",
    help: "Job attempts that failed (and will be retried or are dead)",
    labelNames: ["handler"] as const,
    registers: [this.registry],
  });
  readonly jobsDead = new Counter({
    name: "relay_jobs_dead_total",
    help: "Jobs that ended dead",
    labelNames: ["handler"] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "relay_queue_depth",
    help: "Jobs waiting or running, by status",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  readonly ingestPendingBytes = new Gauge({
    name: "relay_ingest_pending_bytes",
    help: "Payload bytes of received events waiting to be stored (bounded by INGEST_MAX_PENDING_BYTES)",
    registers: [this.registry],
  });
  readonly outboundLatency = new Histogram({
    name: "relay_outbound_call_seconds",
    help: "Outbound HTTP call latency by target",
    labelNames: ["target", "status"] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly secretsReencrypted = new Counter({
    name: "relay_secrets_reencrypted_total",
    help: "Stored secrets moved from a previous ENCRYPTION_KEY to the current one (key rotation)",
    labelNames: ["table"] as const,
    registers: [this.registry],
  });
  readonly secretsUnreadable = new Gauge({
    name: "relay_secrets_unreadable",
    help: "Stored secrets the last key-rotation pass could open with no configured key",
    registers: [this.registry],
  });

  constructor(defaults = false) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }
}
