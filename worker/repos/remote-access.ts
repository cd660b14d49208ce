// How one mirror fetch reaches its remote. Credentials travel in git's environment only (never argv, a
// URL or the mirror's config); ssh never reads the worker host's own keys, agent or config; and the
// connection is pinned to the addresses the URL check approved, so a DNS answer that changes between
// the check and the connect cannot lead git to a private address.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RepoTarget } from "@/lib/repos/check-repo-url";
import { DEFAULT_TOKEN_USERNAME, type RepoCredential } from "@/lib/repos/repo-credential";
import type { GitTransports } from "./git";

export type RemoteAccess = {
  /** `-c` flags that go before the subcommand (the pinned addresses of an http(s) host). */
  args: string[];
  /** Added to the wrapper's minimal env: HOME, the auth header through GIT_CONFIG_*, GIT_SSH_COMMAND. */
  env: Record<string, string>;
  transports: GitTransports;
  /** Values that must never appear in a message: the token and the header made of it. */
  secrets: string[];
};

export type RemoteAccessInput = {
  target: RepoTarget;
  credential: RepoCredential | null;
  /** Trust-on-first-use host keys, one file per mirror, so one repository's answer never vouches for another. */
  knownHostsFile: string;
};

/** An empty HOME and the deploy key (0600) in a private temp dir for the length of `run`, removed after. */
export async function withRemoteAccess<T>(input: RemoteAccessInput, run: (access: RemoteAccess) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "patchbay-git-"));
  try {
    const home = path.join(dir, "home");
    await mkdir(home, { mode: 0o700 });
    let keyFile: string | null = null;
    if (input.credential?.kind === "deployKey") {
      keyFile = path.join(dir, "deploy-key");
      await writeFile(keyFile, input.credential.privateKey, { mode: 0o600, flag: "wx" });
    }
    return await run(remoteAccess({ ...input, home, keyFile }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The pure part of withRemoteAccess, for tests: what git gets for this target and credential. */
export function remoteAccess(input: RemoteAccessInput & { home: string; keyFile: string | null }): RemoteAccess {
  const { target, credential } = input;
  const transports: GitTransports = target.kind === "file" || target.kind === "http" ? "local" : "remote";
  // HOME is an empty directory: no ~/.gitconfig, ~/.netrc or credential store of the worker's user is read.
  const env: Record<string, string> = { HOME: input.home };
  const args: string[] = [];
  const secrets: string[] = [];
  if (target.kind === "file") return { args, env, transports, secrets };
  const pinned = target.addresses.length > 0 && isIP(target.host) === 0;
  if (target.kind === "ssh") {
    const pin = pinned ? { host: target.host, address: preferredAddress(target.addresses) } : null;
    env.GIT_SSH_COMMAND = sshCommand({ knownHostsFile: input.knownHostsFile, keyFile: input.keyFile, pin });
    // Tells git which ssh it talks to (for -p and -o SendEnv), whatever the command's first word looks like.
    env.GIT_SSH_VARIANT = "ssh";
    return { args, env, transports, secrets };
  }
  if (pinned) args.push("-c", `http.curloptResolve=${target.host}:${target.port}:${target.addresses.map(curlAddress).join(",")}`);
  if (credential?.kind === "token") {
    const header = basicAuthHeader(credential.username ?? DEFAULT_TOKEN_USERNAME, credential.token);
    // git ≥ 2.31 reads config from GIT_CONFIG_COUNT/KEY_n/VALUE_n: out of argv, where any local user could read it.
    Object.assign(env, { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: header });
    secrets.push(credential.token, header, header.slice("Authorization: Basic ".length));
  }
  return { args, env, transports, secrets };
}

export function basicAuthHeader(username: string, token: string): string {
  return `Authorization: Basic ${Buffer.from(`${username}:${token}`, "utf8").toString("base64")}`;
}

/**
 * git runs GIT_SSH_COMMAND through the shell, so every value is quoted. -F /dev/null: no ssh config;
 * IdentitiesOnly and IdentityAgent=none: no key of the worker's user or agent; BatchMode: no prompts.
 * GIT_SSH_COMMAND overrides the wrapper's core.sshCommand=false, which stays as the guard for calls without it.
 */
export function sshCommand(options: { knownHostsFile: string; keyFile: string | null; pin: { host: string; address: string } | null }): string {
  const words = [
    "ssh",
    "-F",
    "/dev/null",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "IdentityAgent=none",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    `UserKnownHostsFile=${options.knownHostsFile}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "CheckHostIP=no",
  ];
  // Connect to the checked address; host keys stay filed under the name.
  if (options.pin) words.push("-o", `HostName=${options.pin.address}`, "-o", `HostKeyAlias=${options.pin.host}`);
  if (options.keyFile) words.push("-i", options.keyFile);
  else words.push("-o", "IdentityFile=none");
  return words.map(shellQuote).join(" ");
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:,@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** ssh takes one HostName: IPv4 first, since a worker host without IPv6 routes is common. */
function preferredAddress(addresses: readonly string[]): string {
  return addresses.find((address) => isIP(address) === 4) ?? addresses[0] ?? "";
}

function curlAddress(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}
