/**
 * The synchronous-forwarding baseline, as the Lambda solutions work: a webhook is acknowledged only
 * after the Bitbucket call it causes has answered. A bare node:http server (no verification, no
 * storage: everything in its favour) that posts a build status for the pushed commit to the fake
 * Bitbucket, then answers 204 (502 if the call failed). Reports `{ url }` over IPC.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { signConnectJwt } from "../../src/connect/bitbucket-credentials";
import type { BenchTenant } from "./payloads";

const tenant = JSON.parse(process.env.BENCH_TENANT ?? "") as BenchTenant;
const fakeUrl = process.env.BENCH_FAKE_URL ?? "";

async function forward(body: string): Promise<number> {
  const payload = JSON.parse(body) as { push?: { changes?: Array<{ new?: { target?: { hash?: string } } }> } };
  const hash = payload.push?.changes?.[0]?.new?.target?.hash;
  if (!hash) return 400;
  const url = `${fakeUrl}/2.0/repositories/${tenant.workspace.slug}/${tenant.repo.slug}/commit/${hash}/statuses/build`;
  const token = signConnectJwt("bitbucket-relay", tenant.clientKey, tenant.sharedSecret, "POST", url);
  const res = await request(url, {
    method: "POST",
    headers: { authorization: `JWT ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ key: "baseline", state: "SUCCESSFUL", name: "Baseline", url: "https://example.com/baseline" }),
  });
  await res.body.text();
  return res.statusCode < 300 ? 204 : 502;
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    forward(Buffer.concat(chunks).toString("utf8"))
      .then((status) => res.writeHead(status).end())
      .catch(() => res.writeHead(502).end());
  });
});
server.listen(0, "127.0.0.1", () => {
  process.send?.({ type: "ready", url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.once("disconnect", () => process.exit(0));
process.once("SIGTERM", () => process.exit(0));
