import { describe, expect, it } from "vitest";
import { blockedHosts, parseAccessLog, squidConfig } from "./egress-proxy-config";

describe("the egress proxy's configuration", () => {
  it("allows the default registries and the environment's hosts, never private or host addresses", () => {
    const config = squidConfig({ mode: "allowlist", allow: ["*.example.com", "api.example.com", "files.internal.test"] });
    const allowed = config.split("\n").find((line) => line.startsWith("acl allowed_hosts"));
    expect(allowed).toContain(" registry.npmjs.org");
    expect(allowed).toContain(" pypi.org");
    expect(allowed).toContain(" .example.com");
    // squid refuses a list where a wildcard already covers a name.
    expect(allowed).not.toContain(" api.example.com");
    expect(allowed).toContain(" files.internal.test");
    expect(config).toMatch(/acl blocked_destination dst .*10\.0\.0\.0\/8 .*127\.0\.0\.0\/8 .*169\.254\.0\.0\/16 .*172\.16\.0\.0\/12 .*192\.168\.0\.0\/16/);
    // Denials come before the allow rule, and everything else is denied last.
    const rules = config.split("\n").filter((line) => line.startsWith("http_access"));
    expect(rules.indexOf("http_access deny blocked_destination")).toBeLessThan(rules.indexOf("http_access allow allowed_hosts"));
    expect(rules.at(-1)).toBe("http_access deny all");
    expect(config).toContain("forwarded_for delete");
  });

  it("lets an agent with network 'on' reach any public host, still not private ones", () => {
    const config = squidConfig({ mode: "any-public-host" });
    expect(config).not.toContain("allowed_hosts");
    const rules = config.split("\n").filter((line) => line.startsWith("http_access"));
    expect(rules.indexOf("http_access deny blocked_destination")).toBeLessThan(rules.indexOf("http_access allow all"));
  });

  it("reads refused hosts from the access log, each once", () => {
    const log = [
      "1796173343.337 CONNECT registry.npmjs.org:443 TCP_TUNNEL/200",
      "1796173345.702 CONNECT example.com:443 TCP_DENIED/403",
      "1796173345.797 GET http://example.com/x TCP_DENIED/403",
      "1796173345.905 GET http://172.25.0.1:3999/ TCP_DENIED/403",
      "1796173346.000 GET http://files.example.org/a.tgz TCP_MISS/403",
      "garbage",
    ].join("\n");
    const entries = parseAccessLog(log);
    expect(entries).toHaveLength(5);
    expect(blockedHosts(entries)).toEqual(["example.com", "172.25.0.1"]);
  });
});
