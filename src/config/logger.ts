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

/** The one logger: JSON lines, with child loggers carrying workspace, repository and delivery ids. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "bitbucket-relay" },
      redact: { paths: REDACT, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
