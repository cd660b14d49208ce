import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustedProxies } from "./client-address";

const none = parseTrustedProxies("");

describe("clientAddress", () => {
  it("is the connection's address when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress({ peer: "203.0.113.9", forwardedFor: "6.6.6.6", trusted: none })).toBe("203.0.113.9");
    expect(clientAddress({ peer: "::ffff:203.0.113.9", forwardedFor: "6.6.6.6, 7.7.7.7", trusted: none })).toBe("203.0.113.9");
    expect(clientAddress({ peer: "2001:db8::1", forwardedFor: undefined, trusted: none })).toBe("2001:db8::1");
  });

  it("behind a trusted proxy, is the right-most X-Forwarded-For entry that is not a trusted proxy", () => {
    const trusted = parseTrustedProxies("127.0.0.1, 10.0.0.0/8, ::1");
    // Caddy on the same machine appends the client's address; anything left of it is the client's own text.
    expect(clientAddress({ peer: "127.0.0.1", forwardedFor: "6.6.6.6, 198.51.100.4", trusted })).toBe("198.51.100.4");
    expect(clientAddress({ peer: "::1", forwardedFor: "198.51.100.4, 10.1.2.3", trusted })).toBe("198.51.100.4");
    expect(clientAddress({ peer: "::ffff:10.9.9.9", forwardedFor: "198.51.100.4", trusted })).toBe("198.51.100.4");
    // A trusted proxy that forwards nothing is itself the client (e.g. a health check).
    expect(clientAddress({ peer: "127.0.0.1", forwardedFor: undefined, trusted })).toBe("127.0.0.1");
    // Only trusted addresses in the chain: the left-most one.
    expect(clientAddress({ peer: "127.0.0.1", forwardedFor: "10.0.0.5", trusted })).toBe("10.0.0.5");
    // A connection from elsewhere cannot borrow the trust.
    expect(clientAddress({ peer: "192.0.2.1", forwardedFor: "198.51.100.4", trusted })).toBe("192.0.2.1");
  });

  it("stops at an entry that is not an address", () => {
    const trusted = parseTrustedProxies("127.0.0.1");
    expect(clientAddress({ peer: "127.0.0.1", forwardedFor: "198.51.100.4, not-an-ip", trusted })).toBe("not-an-ip");
  });

  it("without a peer address, falls back to the right-most X-Forwarded-For entry", () => {
    expect(clientAddress({ peer: undefined, forwardedFor: "6.6.6.6, 127.0.0.1", trusted: none })).toBe("127.0.0.1");
    expect(clientAddress({ peer: undefined, forwardedFor: undefined, trusted: none })).toBe("unknown");
  });
});

describe("parseTrustedProxies", () => {
  it("accepts addresses and CIDRs and names a bad entry", () => {
    expect(parseTrustedProxies("127.0.0.1,10.0.0.0/8, fd00::/8 ,::1")).toHaveLength(4);
    expect(() => parseTrustedProxies("127.0.0.1, proxy.local")).toThrow('PATCHBAY_TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR range');
  });
});
