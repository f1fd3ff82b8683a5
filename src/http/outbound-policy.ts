import dns from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { buildConnector } from "undici";
import { PermanentError } from "./errors";

/** How the policy resolves names: `dns.lookup`'s shape (tests inject one that maps names to loopback listeners). */
export type DnsLookup = (hostname: string, options: { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: Array<{ address: string; family: number }>) => void) => void;

export interface OutboundPolicyOptions {
  /** OUTBOUND_ALLOW_LOOPBACK: loopback addresses (127.0.0.0/8, ::1) and http to them are allowed. Development and tests only. */
  allowLoopback: boolean;
  lookup?: DnsLookup;
}

/** A tenant-configured URL the policy refuses: no retry can fix it (the job ends dead, the save answers 400). */
export class OutboundRefusedError extends PermanentError {
  constructor(reason: string) {
    super(`refused by the outbound policy: ${reason}`);
    this.name = "OutboundRefusedError";
  }
}

/** Ranges ipaddr.js 1.x calls "unicast" that are not the public internet either. */
const EXTRA_RANGES: Array<[ReturnType<typeof ipaddr.parseCIDR>, string]> = [
  ["198.18.0.0/15", "benchmarking"],
  ["::/96", "ipv4Compatible"],
  ["100::/64", "discard"],
  ["fec0::/10", "siteLocal"],
  ["2001:10::/28", "orchid"],
].map(([cidr, name]) => [ipaddr.parseCIDR(cidr!), name!]);

/**
 * The class of an IP address that must not be called, or null for a public unicast address.
 * Ranges from ipaddr.js (IANA special-purpose registries, RFC 6890): loopback, private (RFC 1918),
 * linkLocal (169.254/16: the cloud metadata services), carrierGradeNat (100.64/10: Alibaba metadata),
 * uniqueLocal (fc00::/7: AWS fd00:ec2::254), unspecified (0.0.0.0/8, ::), multicast, broadcast, reserved,
 * NAT64/6to4/Teredo; IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as its IPv4 address.
 */
export function blockedRange(address: string): string | null {
  const text = address.replace(/^\[|\]$/g, "").split("%")[0]!;
  if (!ipaddr.isValid(text)) return "invalid";
  let addr = ipaddr.parse(text);
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  const range = addr.range();
  if (range !== "unicast") return range;
  for (const [cidr, name] of EXTRA_RANGES) {
    if (cidr[0].kind() === addr.kind() && (addr as ipaddr.IPv4).match(cidr as [ipaddr.IPv4, number])) return name;
  }
  return null;
}

const isLoopbackName = (host: string) => host === "localhost" || host.endsWith(".localhost");

/**
 * The one outbound policy for every URL a tenant configures (alert targets, chat webhooks, anything
 * added later): https only; the resolved address checked at connect time (`connector`, used by the HTTP
 * client's dispatcher, so a DNS-rebinding answer cannot slip between check and connect) and at save time
 * (`check`); loopback only when `allowLoopback` is set (then http too, to loopback hosts).
 */
export class OutboundPolicy {
  private readonly lookup: DnsLookup;

  constructor(readonly options: OutboundPolicyOptions) {
    this.lookup = options.lookup ?? ((host, o, cb) => dns.lookup(host, o, cb));
  }

  /** The refusal reason for one resolved address, or null. */
  refusal(address: string): string | null {
    const range = blockedRange(address);
    if (range === null || (range === "loopback" && this.options.allowLoopback)) return null;
    return `the host resolves to a ${range} address`;
  }

  /** Checks what can be checked without the network. Throws OutboundRefusedError; returns the parsed URL. */
  checkSyntax(url: string): URL {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new OutboundRefusedError("not a valid URL");
    }
    const host = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const loopbackHost = isLoopbackName(host) || (isIP(host) !== 0 && blockedRange(host) === "loopback");
    const httpAllowed = this.options.allowLoopback && loopbackHost;
    if (u.protocol !== "https:" && !(u.protocol === "http:" && httpAllowed)) throw new OutboundRefusedError("the URL must use https");
    if (isIP(host)) {
      const reason = this.refusal(host);
      if (reason) throw new OutboundRefusedError(reason.replace("the host resolves to", "the host is"));
    }
    return u;
  }

  /** Resolves a host name (every address) and refuses if any address is not allowed. */
  async resolve(hostname: string): Promise<Array<{ address: string; family: number }>> {
    const host = hostname.replace(/^\[|\]$/g, "");
    if (isIP(host)) {
      const reason = this.refusal(host);
      if (reason) throw new OutboundRefusedError(reason.replace("the host resolves to", "the host is"));
      return [{ address: host, family: isIP(host) }];
    }
    const addresses = await new Promise<Array<{ address: string; family: number }>>((resolve, reject) =>
      this.lookup(host, { all: true }, (err, found) => (err ? reject(new OutboundRefusedError(`the host name does not resolve (${err.code ?? "error"})`)) : resolve(found))),
    );
    if (!addresses.length) throw new OutboundRefusedError("the host name does not resolve");
    for (const a of addresses) {
      const reason = this.refusal(a.address);
      if (reason) throw new OutboundRefusedError(reason);
    }
    return addresses;
  }

  /** The save-time check of a URL: syntax, then every address its host resolves to now. */
  async check(url: string): Promise<void> {
    const u = this.checkSyntax(url);
    await this.resolve(u.hostname);
  }

  /** `net.connect`'s lookup option: resolves, refuses forbidden addresses, answers in the shape asked for. */
  readonly checkedLookup: LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname).then(
      (found) => {
        if (options.all) (callback as (e: null, a: typeof found) => void)(null, found);
        else callback(null, found[0]!.address, found[0]!.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, "", 0),
    );
  };

  /** An undici connector that checks every connection's address: literal IPs directly, names through `checkedLookup`. */
  connector(timeoutMs: number): buildConnector.connector {
    const base = buildConnector({ lookup: this.checkedLookup, timeout: timeoutMs } as buildConnector.BuildOptions);
    return (opts, callback) => {
      const host = opts.hostname.replace(/^\[|\]$/g, "");
      const reason = isIP(host) ? this.refusal(host) : null;
      if (reason) return callback(new OutboundRefusedError(reason.replace("the host resolves to", "the host is")), null);
      return base(opts, callback);
    };
  }
}
