// The mirror fetch with an ssh deploy key against a real ssh server: the `ssh2` package's Server speaking
// the real protocol on 127.0.0.1 (local development mode allows it), with an ed25519 host key made here,
// publickey auth for the deploy key only, and `git upload-pack` behind exec. The worker's side is the real
// OpenSSH client git runs with the GIT_SSH_COMMAND remote-access.ts builds.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import ssh2, { type AuthContext, type Connection, type ParsedKey } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RepoCredential, repoCredentialSchema } from "@/lib/repos/repo-credential";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { minimalEnv, runGit } from "./git";
import { createMirrorCache, mirrorKey } from "./mirror-cache";
import { withRemoteAccess } from "./remote-access";
import { allText, failure } from "@/test/support/app-errors";

// ssh2 is CommonJS whose exports Node's ESM loader cannot list, so Server and utils come off the default export.
const { Server: SshServer, utils: sshUtils } = ssh2;

const SERVED_PATH = "/app.git";

type KeyPair = { privateKey: string; publicKey: string };

/** What the ssh client connecting to the test server looked like from the outside, seen while it waited for auth. */
type ClientSeen = { keyFile: string | null; keyFileMode: number | null; keyFileHeldKey: boolean; keyInArgv: boolean; agentSocket: boolean };

type SshGitServer = {
  port: number;
  /** Every public key a client offered, as "algo base64". */
  offered: string[];
  /** Every exec command the server ran. */
  served: string[];
  /** Every session request it refused (other commands, shells, subsystems). */
  refused: string[];
  /** One entry per accepted signature: what the connecting ssh process was given. */
  clients: (ClientSeen | null)[];
  /** The host key the next connections get; the port stays the same, so the client sees the same host. */
  useHostKey(privateKey: string): void;
  close(): Promise<void>;
};

function sshKeygen(dir: string, name: string): KeyPair {
  const file = path.join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file]);
  return { privateKey: readFileSync(file, "utf8"), publicKey: readFileSync(`${file}.pub`, "utf8").trim() };
}

function parsedKey(text: string): ParsedKey {
  const parsed = sshUtils.parseKey(text);
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

/**
 * Serves the bare repository `repoDir` as ssh://git@127.0.0.1:<port>/app.git to clients holding `deployKey`.
 * One TCP listener hands each connection to the ssh2 Server of the current host key, so the key can change
 * under an address the client already trusts.
 */
async function sshGitServer(repoDir: string, deployKey: KeyPair, hostKey: string): Promise<SshGitServer> {
  const allowed = parsedKey(deployKey.publicKey);
  const offered: string[] = [];
  const served: string[] = [];
  const refused: string[] = [];
  const clients: (ClientSeen | null)[] = [];
  let port = 0;

  const onConnection = (client: Connection) => {
    // An ssh client that drops the connection (a host key it refuses) is expected, not a test failure.
    client.on("error", () => {});
    client.on("authentication", (ctx: AuthContext) => {
      if (ctx.method !== "publickey") return ctx.reject(["publickey"]);
      offered.push(`${ctx.key.algo} ${ctx.key.data.toString("base64")}`);
      const matches = ctx.key.algo === allowed.type && ctx.key.data.equals(allowed.getPublicSSH());
      if (!matches) return ctx.reject(["publickey"]);
      // Without a signature the client only asks whether the key would do; with one, it must verify.
      if (ctx.signature) {
        if (!ctx.blob || allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(["publickey"]);
        clients.push(sshClientSeen(port, keyBodyLines(deployKey.privateKey)));
      }
      ctx.accept();
    });
    client.on("session", (acceptSession) => {
      const session = acceptSession();
      const env: Record<string, string> = {};
      session.on("env", (accept, reject, info) => {
        // git asks for protocol v2 through GIT_PROTOCOL (ssh -o SendEnv); nothing else reaches upload-pack.
        if (info.key === "GIT_PROTOCOL" && /^version=\d$/.test(info.val)) {
          env.GIT_PROTOCOL = info.val;
          accept?.();
        } else reject?.();
      });
      session.on("pty", (_accept, reject) => {
        refused.push("pty");
        reject?.();
      });
      session.on("shell", (_accept, reject) => {
        refused.push("shell");
        reject();
      });
      session.on("subsystem", (_accept, reject, info) => {
        refused.push(`subsystem ${info.name}`);
        reject();
      });
      session.on("exec", (accept, reject, info) => {
        const request = /^git-upload-pack '([^']*)'$/.exec(info.command);
        if (request?.[1] !== SERVED_PATH) {
          refused.push(info.command);
          return reject();
        }
        served.push(info.command);
        const channel = accept();
        const child = spawn("git", ["upload-pack", "--strict", repoDir], {
          env: minimalEnv({ PATH: "/usr/local/bin:/usr/bin:/bin", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", ...env }),
        });
        channel.pipe(child.stdin);
        // upload-pack may exit before the client's last bytes arrive.
        child.stdin.on("error", () => {});
        child.stdout.pipe(channel, { end: false });
        child.stderr.pipe(channel.stderr, { end: false });
        child.on("close", (code) => {
          channel.exit(code ?? 1);
          channel.end();
        });
      });
    });
  };

  let current = new SshServer({ hostKeys: [hostKey] }, onConnection);
  const sockets = new Set<Socket>();
  const listener: NetServer = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    current.injectSocket(socket);
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  port = (listener.address() as AddressInfo).port;
  return {
    port,
    offered,
    served,
    refused,
    clients,
    useHostKey(privateKey) {
      current = new SshServer({ hostKeys: [privateKey] }, onConnection);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

/**
 * Finds the ssh process connected to `port` (git passes `-p <port>`) and records what it was given: the
 * deploy key file named by `-i` (which must exist, 0600, while ssh runs) and whether an agent socket reached
 * it; and whether any process on this machine has the key in its command line. Called while that client
 * waits for the server's answer, so the process is alive; null if it was not found.
 */
function sshClientSeen(port: number, keyLines: readonly string[]): ClientSeen | null {
  const processes: { argv: string[]; environ: string[] }[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      processes.push({
        argv: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0"),
        environ: readFileSync(`/proc/${pid}/environ`, "utf8").split("\0"),
      });
    } catch {
      // The process ended while we looked.
    }
  }
  const keyInArgv = processes.some(({ argv }) => argv.some((word) => keyLines.some((line) => word.includes(line))));
  const ssh = processes.find(({ argv }) => argv[0] === "ssh" && argv.includes("-p") && argv[argv.indexOf("-p") + 1] === String(port));
  if (!ssh) return null;
  const { argv, environ } = ssh;
  const keyFile = argv.includes("-i") ? (argv[argv.indexOf("-i") + 1] ?? null) : null;
  return {
    keyFile,
    keyFileMode: keyFile ? statSync(keyFile).mode & 0o777 : null,
    keyFileHeldKey: keyFile ? readFileSync(keyFile, "utf8").includes("PRIVATE KEY") : false,
    keyInArgv,
    agentSocket: environ.some((entry) => entry.startsWith("SSH_AUTH_SOCK=")),
  };
}

/** Files under `dir` (recursively) whose content contains `needle`; what vanishes while we look holds nothing. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      if (readFileSync(file).includes(needle)) found.push(file);
    }
  } catch (error) {
    // Another process's fetch may remove its temp dir mid-scan.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return found;
}

/** The base64 lines of a private key: any one of them in a message would be a leak. */
function keyBodyLines(privateKey: string): string[] {
  return privateKey.split("\n").filter((line) => line.length > 20 && !line.startsWith("-----"));
}

let repo: FixtureRepo;
let scratch: string;
let servedRepo: string;
let deployKey: KeyPair;
let wrongKey: KeyPair;
let hostKey: KeyPair;
let otherHostKey: KeyPair;
let credential: RepoCredential;
let server: SshGitServer;
let url: string;

beforeAll(async () => {
  repo = createFixtureRepo();
  scratch = mkdtempSync(path.join(tmpdir(), "patchbay-ssh-git-"));
  const keys = path.join(scratch, "keys");
  mkdirSync(keys, { mode: 0o700 });
  deployKey = sshKeygen(keys, "deploy");
  wrongKey = sshKeygen(keys, "wrong");
  hostKey = sshKeygen(keys, "host");
  otherHostKey = sshKeygen(keys, "other-host");
  // Through the schema, as the environment form stores it.
  credential = repoCredentialSchema.parse({ kind: "deployKey", privateKey: deployKey.privateKey });
  servedRepo = path.join(scratch, "served", "app.git");
  git(scratch, "clone", "-q", "--bare", repo.dir, servedRepo);
  server = await sshGitServer(servedRepo, deployKey, hostKey.privateKey);
  url = `ssh://git@127.0.0.1:${server.port}${SERVED_PATH}`;
});

afterAll(async () => {
  await server?.close();
  for (const dir of [repo?.dir, scratch]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function mirrors(root: string) {
  return createMirrorCache({ root, timeoutMs: 30_000, allowLocal: true });
}

describe("mirror fetch with a deploy key over ssh", () => {
  it("clones and then fetches with the deploy key alone, which lives in a 0600 temp file only while ssh runs", async () => {
    const root = path.join(scratch, "mirrors");
    server.offered.length = 0;
    server.served.length = 0;
    server.refused.length = 0;
    server.clients.length = 0;
    const mirrorPath = await mirrors(root).sync(url, credential);
    expect(await mirrors(root).resolveBranch(mirrorPath, "main")).toBe(repo.baseCommit);

    // A new commit upstream reaches the existing mirror through fetch over ssh, with the same key.
    git(repo.dir, "commit", "-q", "--allow-empty", "-m", "second");
    git(repo.dir, "push", "-q", servedRepo, "main");
    const head = git(repo.dir, "rev-parse", "HEAD");
    expect(await mirrors(root).sync(url, credential)).toBe(mirrorPath);
    expect(await mirrors(root).resolveBranch(mirrorPath, "main")).toBe(head);
    expect(server.served).toEqual([`git-upload-pack '${SERVED_PATH}'`, `git-upload-pack '${SERVED_PATH}'`]);
    expect(server.refused).toEqual([]);

    // Only the deploy key was offered: no key of the worker's user, no agent.
    const deployPublic = deployKey.publicKey.split(" ").slice(0, 2).join(" ");
    expect(new Set(server.offered)).toEqual(new Set([deployPublic]));
    expect(server.clients).toHaveLength(2);
    for (const client of server.clients) {
      if (!client) throw new Error("the server saw no ssh process for an accepted key");
      expect(client.keyFile).toMatch(/\/patchbay-git-[^/]+\/deploy-key$/);
      expect(client.keyFileMode).toBe(0o600);
      expect(client.keyFileHeldKey).toBe(true);
      expect(client.keyInArgv).toBe(false);
      expect(client.agentSocket).toBe(false);
      // withRemoteAccess removes the key file's private directory once the fetch is over.
      expect(existsSync(path.dirname(client.keyFile ?? "/nonexistent/key"))).toBe(false);
    }

    const config = (await runGit(["config", "--local", "--list"], { cwd: mirrorPath, timeoutMs: 5_000 })).stdout;
    expect(config).toContain(`remote.origin.url=${url}`);
    expect(config).not.toMatch(/sshcommand|PRIVATE KEY/i);
    for (const line of keyBodyLines(deployKey.privateKey)) {
      expect(filesContaining(root, line)).toEqual([]);
      for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith("patchbay-git-"))) {
        expect(filesContaining(path.join(tmpdir(), name), line)).toEqual([]);
      }
    }

    // The first fetch trusted the server's host key, filed in this mirror's own known_hosts.
    const knownHosts = readFileSync(path.join(root, `${mirrorKey(url, credential)}.known_hosts`), "utf8");
    expect(knownHosts).toContain(`[127.0.0.1]:${server.port} ${hostKey.publicKey.split(" ").slice(0, 2).join(" ")}`);
  });

  it("fails with a clear message, without the key, when the server refuses the key", async () => {
    server.offered.length = 0;
    server.served.length = 0;
    const wrong = repoCredentialSchema.parse({ kind: "deployKey", privateKey: wrongKey.privateKey });
    const error = await failure(mirrors(path.join(scratch, "wrong-key-mirrors")).sync(url, wrong));
    expect(error.code).toBe("repo_unreachable");
    expect(error.userMessage).toMatch(/^The repository refused the credential set on this environment \(ssh: Permission denied \(publickey\)\)/);
    expect(server.offered).toEqual([wrongKey.publicKey.split(" ").slice(0, 2).join(" ")]);
    expect(server.served).toEqual([]);
    const text = allText(error);
    expect(text).not.toContain("PRIVATE KEY");
    for (const line of keyBodyLines(wrongKey.privateKey)) expect(text).not.toContain(line);
  });

  it("refuses a host key that changed since the first fetch, and fetches again once the first key is back", async () => {
    const root = path.join(scratch, "host-key-mirrors");
    const mirrorPath = await mirrors(root).sync(url, credential);
    server.served.length = 0;
    server.useHostKey(otherHostKey.privateKey);
    try {
      const error = await failure(mirrors(root).sync(url, credential));
      expect(error.code).toBe("repo_unreachable");
      expect(error.userMessage).toMatch(/^The ssh host key of the repository .* is not the one Patchbay saw on its first fetch\./);
      expect(allText(error)).not.toContain("PRIVATE KEY");
      expect(server.served).toEqual([]);
    } finally {
      server.useHostKey(hostKey.privateKey);
    }
    // The refusal did not replace the trusted key: the original host is accepted again.
    expect(await mirrors(root).sync(url, credential)).toBe(mirrorPath);
    expect(server.served).toHaveLength(1);
  });

  it("connects to the pinned address and files the host key under the URL's host name", async () => {
    // `.test` names never resolve; the fetch can only work if ssh connects where the pin says.
    const knownHostsFile = path.join(scratch, "pinned.known_hosts");
    const host = "git.patchbay.test";
    const { stdout } = await withRemoteAccess(
      { target: { kind: "ssh", host, port: server.port, addresses: ["127.0.0.1"] }, credential, knownHostsFile },
      (access) =>
        runGit([...access.args, "ls-remote", `ssh://git@${host}:${server.port}${SERVED_PATH}`, "main"], {
          timeoutMs: 20_000,
          env: access.env,
          transports: access.transports,
        }),
    );
    expect(stdout).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main$/m);
    // HostKeyAlias files the key under the bare name (ssh adds no port to an alias).
    expect(readFileSync(knownHostsFile, "utf8")).toContain(`${host} ${hostKey.publicKey.split(" ").slice(0, 2).join(" ")}`);
  });
});
