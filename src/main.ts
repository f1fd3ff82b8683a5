import { loadConfig, ConfigError } from "./config/config";
import { createLogger } from "./config/logger";

/** Starts the app: HTTP server and in-process worker, on SQLite unless DATABASE_URL is set. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main() {
  // `node dist/main.js generate-key` (`npm run key:generate`): a new ENCRYPTION_KEY on stdout, nothing else read.
  if (process.argv[2] === "generate-key") {
    const { generateKeyMaterial } = await import("./crypto/secrets");
    process.stdout.write(`${generateKeyMaterial()}\n`);
    return;
  }
  // The whole configuration is checked before anything is touched (no data folder, key file,
  // database or migration): every problem on its own line, then exit 2.
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) process.stderr.write(`configuration error: ${problem}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  // Loaded only now: no module of the app (nor its libraries' start-up code) runs on a bad configuration.
  const { createRelayApp } = await import("./app");
  const { doorLine, startupLines } = await import("./web/entry-points");
  const relay = await createRelayApp({ config, log });
  const { server } = await relay.listen(config.port);
  const address = server.address();
  // Forge is the way in on Bitbucket Cloud; the Connect descriptor is named only when no Forge app is set.
  log.info(
    { listen: typeof address === "object" && address ? `${address.address}:${address.port}` : address, baseUrl: config.baseUrl, database: config.database.kind, worker: config.worker.enabled },
    `Bitbucket Relay listening; ${doorLine(config)}`,
  );
  // One line per Data Center instance (what its admin enters in DC), and retention warnings.
  for (const line of startupLines(config)) log[line.level](line.fields, line.msg);
  // Start-up is over: the compiled server's entry writes V8's code cache now (scripts/dist-main.ts).
  (process as NodeJS.EventEmitter).emit("relay:listening");
  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    await relay.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
