import { createHmac, timingSafeEqual } from "node:crypto";
import { AlertReceiver, type Answer } from "./receiver";

/**
 * A customer's webhook endpoint checking Relay's signature as the docs tell customers to:
 * HMAC-SHA256(secret, "<X-Relay-Timestamp>.<raw body>") in `X-Relay-Signature: sha256=<hex>`, with the
 * timestamp at most 5 minutes old. Valid: 204; anything else: 401.
 */
export class FakeWebhookReceiver extends AlertReceiver {
  constructor(readonly secret: string) {
    super();
  }

  readonly verified: Array<{ event: string; body: Record<string, unknown> }> = [];

  protected answer(req: { method: string; headers: Record<string, string | string[] | undefined>; raw: string; body: unknown }): Answer {
    const ts = String(req.headers["x-relay-timestamp"] ?? "");
    const sig = String(req.headers["x-relay-signature"] ?? "");
    const expected = `sha256=${createHmac("sha256", this.secret).update(`${ts}.${req.raw}`).digest("hex")}`;
    const fresh = /^\d+$/.test(ts) && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
    const ok = sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
    if (req.method !== "POST" || !ok || !fresh || req.headers["content-type"] !== "application/json") {
      return { status: 401, body: { error: "bad signature" } };
    }
    this.verified.push({ event: String(req.headers["x-relay-event"]), body: req.body as Record<string, unknown> });
    return { status: 204 };
  }
}
