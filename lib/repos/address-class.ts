// Which IP addresses a repository host may resolve to. A repository URL is typed by a person and fetched
// by the worker, so without this check it could point the worker at its own network (cloud metadata at
// 169.254.169.254, the database, a router). Documentation ranges (TEST-NET) are public here on purpose.
import ipaddr from "ipaddr.js";

export type AddressClass =
  | "loopback"
  | "private"
  | "link-local"
  | "carrier-grade NAT"
  | "unique-local"
  | "unspecified"
  | "multicast"
  | "reserved"
  | "unrecognized";

// Ranges a repository host must not resolve to. TEST-NET and other documentation ranges are absent on
// purpose (ipaddr.js calls them "reserved"; some networks route real hosts through them).
const BLOCKED: readonly (readonly [string, AddressClass])[] = [
  ["0.0.0.0/8", "unspecified"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "carrier-grade NAT"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["172.16.0.0/12", "private"],
  ["192.168.0.0/16", "private"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved"],
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["fe80::/10", "link-local"],
  // The deprecated site-local range: private by definition.
  ["fec0::/10", "private"],
  ["fc00::/7", "unique-local"],
  ["ff00::/8", "multicast"],
];
const RANGES = BLOCKED.map(([cidr, kind]) => ({ range: ipaddr.parseCIDR(cidr), kind }));

// IPv6 forms that carry an IPv4 address are judged by that address, so ::ffff:127.0.0.1 or
// 2002:a00:1:: cannot reach what 127.0.0.1 or 10.0.0.1 could not: [prefix, offset of the IPv4 bytes].
const EMBEDDING = (["::ffff:0:0/96", "::/96", "64:ff9b::/96", "2002::/16"] as const).map((cidr) => ({
  range: ipaddr.parseCIDR(cidr),
  offset: cidr === "2002::/16" ? 2 : 12,
}));

/** The class that makes an address unfit for a repository host, or null for an ordinary public address. */
export function addressClass(address: string): AddressClass | null {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!ipaddr.isValid(bare)) return "unrecognized";
  // Strict: "0x7f.1" or "2130706433" are refused as unrecognized rather than read as 127.0.0.1.
  if (!ipaddr.IPv6.isValid(bare) && !ipaddr.IPv4.isValidFourPartDecimal(bare)) return "unrecognized";
  const parsed = ipaddr.parse(bare);
  const own = classify(parsed);
  if (own || parsed.kind() === "ipv4") return own;
  const bytes = parsed.toByteArray();
  for (const { range, offset } of EMBEDDING) {
    if (parsed.match(range) && !(range[1] === 96 && own === "unspecified")) {
      const embedded = classify(ipaddr.fromByteArray(bytes.slice(offset, offset + 4)));
      if (embedded) return embedded;
    }
  }
  return null;
}

function classify(address: ipaddr.IPv4 | ipaddr.IPv6): AddressClass | null {
  for (const { range, kind } of RANGES) {
    if (address.kind() === range[0].kind() && address.match(range)) return kind;
  }
  return null;
}

/** How a refusal names the class, e.g. "a private (RFC 1918) address". */
export function describeAddressClass(value: AddressClass): string {
  switch (value) {
    case "loopback":
      return "a loopback address";
    case "private":
      return "a private (RFC 1918) address";
    case "link-local":
      return "a link-local address (169.254.0.0/16 or fe80::/10, where cloud metadata services live)";
    case "carrier-grade NAT":
      return "a carrier-grade NAT address (100.64.0.0/10)";
    case "unique-local":
      return "a unique-local IPv6 address (fc00::/7)";
    case "unspecified":
      return "an unspecified address (0.0.0.0/8 or ::)";
    case "multicast":
      return "a multicast address";
    case "reserved":
      return "a reserved address (240.0.0.0/4 or broadcast)";
    case "unrecognized":
      return "an address Patchbay cannot classify";
    default: {
      const unhandled: never = value;
      return unhandled;
    }
  }
}
