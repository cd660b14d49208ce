import { describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { checkRepoUrl, type ResolveHost } from "./check-repo-url";

/** A resolver with fixed answers, so no test depends on real DNS. */
function answers(table: Record<string, string[]>): ResolveHost & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string) => {
    calls.push(host);
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found;
  };
  return Object.assign(resolve, { calls });
}

const strict = (resolveHost: ResolveHost) => ({ allowLocal: false, resolveHost });

async function refusal(url: string, resolveHost: ResolveHost): Promise<AppError> {
  const error = await checkRepoUrl(url, strict(resolveHost)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("checkRepoUrl", () => {
  it.each([
    ["loopback", "127.0.0.1", /loopback/],
    ["private", "10.1.2.3", /private \(RFC 1918\)/],
    ["private", "172.20.0.5", /private \(RFC 1918\)/],
    ["private", "192.168.0.10", /private \(RFC 1918\)/],
    ["link-local", "169.254.169.254", /link-local/],
    ["CGNAT", "100.100.100.200", /carrier-grade NAT/],
    ["unspecified", "0.0.0.0", /unspecified/],
    ["multicast", "224.0.0.251", /multicast/],
    ["IPv6 loopback", "::1", /loopback/],
    ["IPv6 link-local", "fe80::1", /link-local/],
    ["IPv6 unique-local", "fd00:ec2::254", /unique-local/],
    ["IPv6 unspecified", "::", /unspecified/],
    ["IPv6 multicast", "ff05::2", /multicast/],
    ["IPv4-mapped IPv6 loopback", "::ffff:127.0.0.1", /loopback/],
  ])("refuses a host that resolves to a %s address (%s) with a 400 naming the class", async (_label, address, pattern) => {
    const error = await refusal("https://git.example.com/o/r.git", answers({ "git.example.com": [address] }));
    expect(error.code).toBe("bad_request");
    expect(error.userMessage).toMatch(pattern);
    expect(error.userMessage).toContain(`git.example.com resolves to ${address}`);
    expect(error.userMessage).toMatch(/PATCHBAY_ALLOW_LOCAL_REPOS=1/);
  });

  it("refuses when any one of several answers is private (the fetch could use that one)", async () => {
    const error = await refusal("https://git.example.com/o/r.git", answers({ "git.example.com": ["140.82.121.4", "2606:4700::1", "10.0.0.7"] }));
    expect(error.userMessage).toMatch(/10\.0\.0\.7, a private/);
  });

  it("allows public and documentation (TEST-NET) addresses and returns them for pinning", async () => {
    const resolve = answers({ "github.com": ["192.0.2.10", "198.51.100.7"], "gitlab.com": ["203.0.113.5", "2001:db8::5"] });
    expect(await checkRepoUrl("https://github.com/o/r.git", strict(resolve))).toEqual({
      kind: "https",
      host: "github.com",
      port: 443,
      addresses: ["192.0.2.10", "198.51.100.7"],
    });
    expect(await checkRepoUrl("git@gitlab.com:o/r.git", strict(resolve))).toEqual({
      kind: "ssh",
      host: "gitlab.com",
      port: 22,
      addresses: ["203.0.113.5", "2001:db8::5"],
    });
    expect(resolve.calls).toEqual(["github.com", "gitlab.com"]);
  });

  it("checks every URL form: ssh://, scp-like, a port, an IP literal", async () => {
    const resolve = answers({ "git.internal": ["10.0.0.2"], "10.0.0.3": ["10.0.0.3"], "::1": ["::1"], "192.0.2.1": ["192.0.2.1"] });
    expect((await refusal("ssh://git@git.internal:2222/r.git", resolve)).userMessage).toMatch(/private/);
    expect((await refusal("git@git.internal:o/r.git", resolve)).userMessage).toMatch(/private/);
    expect((await refusal("https://10.0.0.3/o/r.git", resolve)).userMessage).toMatch(/^The repository host 10\.0\.0\.3 is a private/);
    expect((await refusal("https://[::1]/o/r.git", resolve)).userMessage).toMatch(/loopback/);
    expect(await checkRepoUrl("https://192.0.2.1/o/r.git", strict(resolve))).toMatchObject({ addresses: ["192.0.2.1"] });
  });

  it("refuses localhost through its real resolution", async () => {
    const error = await checkRepoUrl("https://localhost/o/r.git", { allowLocal: false }).catch((e: unknown) => e);
    expect((error as AppError).userMessage).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
  });

  it("fails clearly when the host does not resolve", async () => {
    const error = await refusal("https://nowhere.example/o/r.git", answers({}));
    expect(error.code).toBe("repo_unreachable");
    expect(error.userMessage).toMatch(/nowhere\.example could not be resolved \(ENOTFOUND\)/);
    const empty = await refusal("https://empty.example/o/r.git", answers({ "empty.example": [] }));
    expect(empty.userMessage).toMatch(/could not be resolved/);
  });

  it("in local development mode resolves nothing and allows private hosts, file:// and http://", async () => {
    const resolve = answers({});
    const local = { allowLocal: true, resolveHost: resolve };
    expect(await checkRepoUrl("https://10.0.0.3/o/r.git", local)).toEqual({ kind: "https", host: "10.0.0.3", port: 443, addresses: [] });
    expect(await checkRepoUrl("http://127.0.0.1:8080/r.git", local)).toMatchObject({ kind: "http", host: "127.0.0.1", port: 8080 });
    expect(await checkRepoUrl("file:///srv/repos/app.git", local)).toEqual({ kind: "file" });
    expect(resolve.calls).toEqual([]);
  });

  it("keeps the demo repository's file:// exception outside local development mode", async () => {
    const resolve = answers({});
    const options = { allowLocal: false, localRoots: ["/srv/patchbay/.data/demo"], resolveHost: resolve };
    expect(await checkRepoUrl("file:///srv/patchbay/.data/demo/paperkite", options)).toEqual({ kind: "file" });
    await expect(checkRepoUrl("file:///srv/other/repo", options)).rejects.toThrow(/PATCHBAY_ALLOW_LOCAL_REPOS/);
    await expect(checkRepoUrl("http://192.0.2.1/r.git", options)).rejects.toThrow(/unencrypted/);
    expect(resolve.calls).toEqual([]);
  });

  it("gives up on a resolver that never answers", async () => {
    vi.useFakeTimers();
    try {
      const pending = checkRepoUrl(
        "https://slow.example/o/r.git",
        strict(() => new Promise<string[]>(() => {})),
      ).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(10_001);
      expect(((await pending) as AppError).userMessage).toMatch(/slow\.example could not be resolved \(no answer within 10 s\)/);
    } finally {
      vi.useRealTimers();
    }
  });
});
