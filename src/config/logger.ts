import pino, { type Logger } from "pino";

export type { Logger };

/** Field names that must never reach a log line, at any depth pino redacts. */
const REDACT = [
  "sharedSecret",
  "*.sharedSecret",
  "secret",
  "*.secret",
  "*.secrets",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "apiKey",
  "*.apiKey",
  "password",
  "*.password",
];

/**
 * Errors as logged: name, message, code, status and stack — never the SQL and bound parameters that
 * database errors carry (they hold payloads, and would make one log line megabytes long).
 */
function errorSerializer(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & { code?: unknown; status?: unknown; target?: unknown; original?: { code?: unknown } };
  return {
    type: e.name,
    message: e.message,
    ...(e.code !== undefined ? { code: e.code } : e.original?.code !== undefined ? { code: e.original.code } : {}),
    ...(typeof e.status === "number" ? { status: e.status } : {}),
    ...(typeof e.target === "string" ? { target: e.target } : {}),
    stack: e.stack,
  };
}

/** The one logger: JSON lines, with child loggers carrying workspace, repository and delivery ids. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "bitbucket-relay" },
      serializers: { err: errorSerializer },
      redact: { paths: REDACT, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
