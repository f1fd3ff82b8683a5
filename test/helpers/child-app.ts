/**
 * An app instance in its own process, for crash and multi-instance tests: config from the
 * environment (SQLITE_FILE or DATABASE_URL, ENCRYPTION_KEY…), the echo handler with a per-commit
 * status key and a delay, and a line on stdout when it is listening.
 */
import { createRelayApp } from "../../src/app";
import { loadConfig } from "../../src/config/config";
import { createLogger } from "../../src/config/logger";
import { registerEchoHandler } from "./echo-handler";

async function main() {
  const config = loadConfig();
  const relay = await createRelayApp({
    config,
    log: createLogger(config.logLevel),
    integrations: [],
    registerHandlers: (r) => registerEchoHandler(r, { delayMs: Number(process.env.ECHO_DELAY_MS ?? 0), key: (hash) => `k-${hash.slice(-12)}` }),
  });
  const { url } = await relay.listen(0);
  await relay.worker?.ready;
  process.stdout.write(`LISTENING ${url} WORKER ${relay.worker?.id ?? "-"}\n`);
}

// Never outlive the test process that started us.
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
