import express from "express";
import type { AddressInfo } from "node:net";
import type { Harness } from "../helpers/harness";
import { acceptDelivery, type DeliveryReceiver, type VerifiedSender } from "../../src/web/accept-delivery";
import { jsonBodyParser } from "../../src/web/raw-body";
import { errorHandler } from "../../src/web/errors";

/**
 * One test-only `acceptDelivery` receiver on its own Express app, between the app's JSON body parser
 * and error handler, on a random loopback port at `POST /hooks/:installationId`, on the harness's
 * services. `url` is the harness tenant's hook.
 */
export async function serveReceiver<S extends VerifiedSender, P>(h: Harness, receiver: DeliveryReceiver<S, P>): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(jsonBodyParser(h.services.config.maxBodyBytes));
  app.post("/hooks/:installationId", acceptDelivery(h.services, receiver));
  app.use(errorHandler(h.services.log));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${h.tenant.installation.id}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
