import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RepoTarget } from "@/lib/repos/check-repo-url";
import type { RepoCredential } from "@/lib/repos/repo-credential";
import { GitError, gitArgv, runGit } from "./git";
import { basicAuthHeader, remoteAccess, sshCommand, withRemoteAccess } from "./remote-access";

const https: RepoTarget = { kind: "https", host: "git.example.com", port: 443, addresses: ["192.0.2.10", "2001:db8::10"] };
const ssh: RepoTarget = { kind: "ssh", host: "git.example.com", port: 22, addresses: ["2001:db8::10", "192.0.2.10"] };
const token: RepoCredential = { kind: "token", token: "glpat-SECRET-0123456789" };
const key: RepoCredential = { kind: "deployKey", privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nSECRETKEYBODY\n-----END OPENSSH PRIVATE KEY-----\n" };
const base = { knownHostsFile: "/data/mirrors/abc.known_hosts", home: "/tmp/pb/home", keyFile: null };

describe("remoteAccess over https", () => {
  it("sends a token as a Basic auth header through GIT_CONFIG_*, never in argv", () => {
    const access = remoteAccess({ ...base, target: https, credential: token });
    const header = `Authorization: Basic ${Buffer.from("x-access-token:glpat-SECRET-0123456789").toString("base64")}`;
    expect(access.env).toEqual({ HOME: "/tmp/pb/home", GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: header });
    const argv = gitArgv([...access.args, "clone", "--mirror", "--", "https://git.example.com/o/r.git", "/tmp/m"], access.transports).join(" ");
    expect(argv).not.toContain("SECRET");
    expect(argv).not.toContain(header.slice("Authorization: Basic ".length));
    expect(argv).not.toMatch(/extraHeader/i);
    expect(access.secrets).toEqual(expect.arrayContaining(["glpat-SECRET-0123456789", header]));
  });

  it("uses the given user name", () => {
    expect(basicAuthHeader("oauth2", "tok")).toBe(`Authorization: Basic ${Buffer.from("oauth2:tok").toString("base64")}`);
    const access = remoteAccess({ ...base, target: https, credential: { kind: "token", username: "oauth2", token: "glpat-0123456789" } });
    expect(access.env.GIT_CONFIG_VALUE_0).toBe(basicAuthHeader("oauth2", "glpat-0123456789"));
  });

  it("pins curl to the checked addresses and allows only https", () => {
    const access = remoteAccess({ ...base, target: https, credential: null });
    expect(access.args).toEqual(["-c", "http.curloptResolve=git.example.com:443:192.0.2.10,[2001:db8::10]"]);
    expect(access.env).toEqual({ HOME: "/tmp/pb/home" });
    expect(access.transports).toBe("remote");
    expect(access.secrets).toEqual([]);
  });

  it("does not pin an IP literal or an unchecked (local mode) host, and allows http only there", () => {
    expect(remoteAccess({ ...base, target: { ...https, host: "192.0.2.10", addresses: ["192.0.2.10"] }, credential: null }).args).toEqual([]);
    const local = remoteAccess({ ...base, target: { kind: "http", host: "127.0.0.1", port: 8080, addresses: [] }, credential: token });
    expect(local.args).toEqual([]);
    expect(local.transports).toBe("local");
    expect(local.env.GIT_CONFIG_KEY_0).toBe("http.extraHeader");
    expect(remoteAccess({ ...base, target: { kind: "file" }, credential: null })).toEqual({
      args: [],
      env: { HOME: "/tmp/pb/home" },
      transports: "local",
      secrets: [],
    });
  });
});

describe("remoteAccess over ssh", () => {
  it("runs ssh without the host's config, keys or agent, with a per-mirror known_hosts and the deploy key", () => {
    const access = remoteAccess({ ...base, keyFile: "/tmp/pb/deploy-key", target: ssh, credential: key });
    expect(access.env.GIT_SSH_COMMAND).toBe(
      "ssh -F /dev/null -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes -o StrictHostKeyChecking=accept-new " +
        "-o UserKnownHostsFile=/data/mirrors/abc.known_hosts -o GlobalKnownHostsFile=/dev/null -o CheckHostIP=no " +
        "-o HostName=192.0.2.10 -o HostKeyAlias=git.example.com -i /tmp/pb/deploy-key",
    );
    expect(access.env.HOME).toBe("/tmp/pb/home");
    expect(access.env.GIT_SSH_VARIANT).toBe("ssh");
    expect(access.env.GIT_CONFIG_COUNT).toBeUndefined();
    expect(access.transports).toBe("remote");
    expect(JSON.stringify(access)).not.toContain("SECRETKEYBODY");
  });

  it("offers no identity at all without a deploy key", () => {
    const command = remoteAccess({ ...base, target: { ...ssh, addresses: [] }, credential: null }).env.GIT_SSH_COMMAND;
    expect(command).toMatch(/ -o IdentityFile=none$/);
    expect(command).not.toContain(" -i ");
    expect(command).not.toContain("HostName=");
  });

  it("quotes paths for the shell git runs the command with", () => {
    const command = sshCommand({ knownHostsFile: "/data/my mirrors/it's.known_hosts", keyFile: "/tmp/a $(touch x)/key", pin: null });
    expect(command).toContain(`-o 'UserKnownHostsFile=/data/my mirrors/it'\\''s.known_hosts'`);
    expect(command).toContain(`-i '/tmp/a $(touch x)/key'`);
  });
});

describe("withRemoteAccess", () => {
  it("writes the deploy key 0600 next to an empty HOME for the call only, and removes both even on failure", async () => {
    let seen: { keyFile: string; mode: number; content: string; home: string; homeEntries: string[] } | undefined;
    const failure = await withRemoteAccess({ target: ssh, credential: key, knownHostsFile: "/data/kh" }, async (access) => {
      const keyFile = /-i (\S+)$/.exec(access.env.GIT_SSH_COMMAND ?? "")?.[1] ?? "";
      const home = access.env.HOME ?? "";
      seen = { keyFile, mode: statSync(keyFile).mode & 0o777, content: readFileSync(keyFile, "utf8"), home, homeEntries: readdirSync(home) };
      throw new Error("fetch failed");
    }).catch((e: unknown) => e);
    expect((failure as Error).message).toBe("fetch failed");
    expect(seen?.mode).toBe(0o600);
    expect(seen?.content).toBe(key.privateKey);
    expect(seen?.homeEntries).toEqual([]);
    expect(existsSync(seen!.keyFile)).toBe(false);
    expect(existsSync(seen!.home)).toBe(false);
  });
});

describe("real git with ssh", () => {
  // A stand-in `ssh` first on PATH records what git runs: the argv, the key's mode, HOME's content.
  const bin = mkdtempSync(path.join(tmpdir(), "patchbay-fake-ssh-"));
  const log = path.join(bin, "log");
  writeFileSync(
    path.join(bin, "ssh"),
    `#!/bin/sh
for arg in "$@"; do printf 'arg:%s\\n' "$arg" >> ${log}; done
prev=""; for arg in "$@"; do [ "$prev" = "-i" ] && stat -c 'keymode:%a' "$arg" >> ${log}; prev="$arg"; done
printf 'home:%s\\n' "$(ls -A "$HOME")" >> ${log}
exit 1
`,
  );
  chmodSync(path.join(bin, "ssh"), 0o755);
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it("uses GIT_SSH_COMMAND over the wrapper's core.sshCommand=false, with the key and no host config", async () => {
    const target: RepoTarget = { kind: "ssh", host: "git.example.com", port: 2222, addresses: ["192.0.2.10"] };
    const error = await withRemoteAccess({ target, credential: key, knownHostsFile: path.join(bin, "kh") }, (access) =>
      runGit(["ls-remote", "ssh://git@git.example.com:2222/o/r.git"], {
        timeoutMs: 10_000,
        env: { ...access.env, PATH: `${bin}:/usr/local/bin:/usr/bin:/bin` },
        transports: access.transports,
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    const lines = readFileSync(log, "utf8").split("\n");
    const args = lines.filter((line) => line.startsWith("arg:")).map((line) => line.slice(4));
    expect(args.slice(0, 4)).toEqual(["-F", "/dev/null", "-o", "IdentitiesOnly=yes"]);
    for (const option of [
      "IdentityAgent=none",
      "BatchMode=yes",
      "StrictHostKeyChecking=accept-new",
      `UserKnownHostsFile=${path.join(bin, "kh")}`,
      "HostName=192.0.2.10",
    ]) {
      expect(args).toContain(option);
    }
    // git adds the port and the target after our options.
    expect(args.slice(-4)).toEqual(["-p", "2222", "git@git.example.com", "git-upload-pack '/o/r.git'"]);
    expect(lines).toContain("keymode:600");
    expect(lines).toContain("home:");
    expect(args.join(" ")).not.toContain("SECRETKEYBODY");
  });
});
