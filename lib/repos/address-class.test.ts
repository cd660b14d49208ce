import { describe, expect, it } from "vitest";
import { addressClass, describeAddressClass, type AddressClass } from "./address-class";

const refused: [string, AddressClass][] = [
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["::1", "loopback"],
  ["10.0.0.1", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.1.1", "private"],
  ["fec0::1", "private"],
  ["169.254.169.254", "link-local"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["febf::1", "link-local"],
  ["100.64.0.1", "carrier-grade NAT"],
  ["100.127.255.255", "carrier-grade NAT"],
  ["fc00::1", "unique-local"],
  ["fd12:3456:789a::1", "unique-local"],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["::", "unspecified"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["ff02::1", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "reserved"],
  // IPv6 forms that carry an IPv4 address are judged by that address.
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:10.1.2.3", "private"],
  ["::ffff:169.254.169.254", "link-local"],
  ["::10.0.0.1", "private"],
  ["64:ff9b::192.168.0.1", "private"],
  ["64:ff9b::a9fe:a9fe", "link-local"],
  ["2002:a00:1::", "private"],
  ["2002:7f00:1::1", "loopback"],
  ["not-an-address", "unrecognized"],
  ["999.1.1.1", "unrecognized"],
];

const allowed = [
  "140.82.121.4",
  "8.8.8.8",
  "1.1.1.1",
  // Documentation ranges (TEST-NET-1/2/3): public for this check; some sandboxes resolve public names there.
  "192.0.2.10",
  "198.51.100.7",
  "203.0.113.5",
  "172.15.255.255",
  "172.32.0.1",
  "100.63.255.255",
  "100.128.0.1",
  "169.253.1.1",
  "223.255.255.255",
  "2606:4700::1111",
  "2001:db8::1",
  "2a01:4f8::1",
  "::ffff:140.82.121.4",
  "64:ff9b::808:808",
  "2002:808:808::1",
  "fbff::1",
];

describe("addressClass", () => {
  it.each(refused)("refuses %s as %s", (address, expected) => {
    expect(addressClass(address)).toBe(expected);
  });

  it.each(allowed)("allows %s", (address) => {
    expect(addressClass(address)).toBeNull();
  });

  it("names each class in words a person can act on", () => {
    expect(describeAddressClass("private")).toMatch(/RFC 1918/);
    expect(describeAddressClass("link-local")).toMatch(/169\.254/);
    expect(describeAddressClass("carrier-grade NAT")).toMatch(/100\.64\.0\.0\/10/);
    expect(describeAddressClass("unique-local")).toMatch(/fc00::\/7/);
  });
});
