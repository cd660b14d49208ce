// The client address that sign-in throttling counts against. It must come from the connection, not from
// anything the client can write.
//
// Under `next start` (Next 16) a route handler never sees the socket: Next copies its address into
// X-Forwarded-For only when the request has none (`??=` in base-server.js), so a client that sends
// "X-Forwarded-For: 6.6.6.6" is seen as 6.6.6.6 (checked by curl against `next start`). scripts/web/server.ts
// therefore runs Next behind a plain Node server that writes the socket's address into a header whose
// random name is known only to this process (PATCHBAY_PEER_ADDRESS_HEADER); clients cannot set it.
// X-Forwarded-For is read only when that address belongs to PATCHBAY_TRUSTED_PROXIES.
import ipaddr from "ipaddr.js";

export type TrustedProxies = readonly (readonly [ipaddr.IPv4 | ipaddr.IPv6, number])[];

function parse(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, "$1");
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is what Node reports for IPv4 clients on a dual-stack socket.
  return ipaddr.isValid(trimmed) ? ipaddr.process(trimmed) : null;
}

/** PATCHBAY_TRUSTED_PROXIES: comma-separated addresses or CIDRs. Throws naming the bad entry. */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  return (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      if (ipaddr.isValidCIDR(entry)) {
        const [range, bits] = ipaddr.parseCIDR(entry);
        return range.kind() === "ipv6" && (range as ipaddr.IPv6).isIPv4MappedAddress()
          ? ([(range as ipaddr.IPv6).toIPv4Address(), bits - 96] as const)
          : ([range, bits] as const);
      }
      const address = parse(entry);
      if (!address) throw new Error(`PATCHBAY_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
      return [address, address.kind() === "ipv4" ? 32 : 128] as const;
    });
}

function isTrusted(address: ipaddr.IPv4 | ipaddr.IPv6, trusted: TrustedProxies): boolean {
  return trusted.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

/**
 * The client's address: the connection's (`peer`) unless that is a trusted proxy; then the right-most
 * X-Forwarded-For entry that is not a trusted proxy (entries left of it are the client's to forge).
 * Without a peer address (the app was not started through scripts/web/server.ts) the right-most
 * X-Forwarded-For entry stands in for it, which Next sets from the socket only when the client sent none.
 */
export function clientAddress(input: { peer: string | undefined; forwardedFor: string | undefined; trusted: TrustedProxies }): string {
  const forwarded = (input.forwardedFor ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = input.peer ? [...forwarded, input.peer] : forwarded;
  let client: string | undefined;
  for (let index = chain.length - 1; index >= 0; index--) {
    const address = parse(chain[index] ?? "");
    // An unparseable hop is where trust ends: it is counted as the client itself.
    if (!address) return chain[index] ?? "unknown";
    client = address.toString();
    if (!isTrusted(address, input.trusted)) return client;
  }
  return client ?? "unknown";
}
