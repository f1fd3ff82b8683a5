import { isIP } from "node:net";
import type { DnsLookup } from "../../src/http/outbound-policy";

/** A public address (documentation-free, routable) that tests only ever *resolve* to, never connect to. */
export const PUBLIC_ADDRESS = "93.184.216.34";

/**
 * A name table injected as the outbound policy's DNS lookup (`createRelayApp({ dnsLookup })`), so that
 * tests can put loopback listeners behind host names. Unknown names answer ENOTFOUND.
 */
export class FakeDns {
  private readonly answers = new Map<string, string[][]>();
  readonly asked: string[] = [];

  /** `host` resolves to `addresses`, every time. */
  set(host: string, ...addresses: string[]): this {
    this.answers.set(host.toLowerCase(), [addresses]);
    return this;
  }

  /** DNS rebinding: the first lookup of `host` answers `first`, every later one `then`. */
  rebind(host: string, first: string, then: string): this {
    this.answers.set(host.toLowerCase(), [[first], [then]]);
    return this;
  }

  readonly lookup: DnsLookup = (host, _options, callback) => {
    this.asked.push(host);
    const seq = this.answers.get(host.toLowerCase());
    if (!seq) {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      process.nextTick(() => callback(err, []));
      return;
    }
    const addresses = seq.length > 1 ? seq.shift()! : seq[0]!;
    process.nextTick(() => callback(null, addresses.map((address) => ({ address, family: isIP(address) }))));
  };
}
