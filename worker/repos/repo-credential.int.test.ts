// The mirror fetch with a repository credential against a real git HTTP server: `git http-backend` (part of
// git) behind a small node server that demands Basic auth, on 127.0.0.1 over plain http, which local
// development mode (PATCHBAY_ALLOW_LOCAL_REPOS=1, set for integration tests) allows.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson } from "@/lib/auth/people";
import { createEnvironment } from "@/lib/environments/create-environment";
import { sharedEnv } from "@/lib/env";
import type { AppError } from "@/lib/errors";
import { createLogger } from "@/lib/logger";
import type { RepoCredential } from "@/lib/repos/repo-credential";
import { buildCopyCatalog } from "@/worker/copy/catalog-processor";
import { createFixtureRepo, git, type FixtureRepo } from "@/test/support/fixture-repo";
import { runGit } from "./git";
import { createMirrorCache, mirrorKey } from "./mirror-cache";
import { remoteAccess } from "./remote-access";
import { allText, failure } from "@/test/support/app-errors";
import { serveGitRequest } from "@/test/support/git-http-backend";

const GOOD = "pb-token-good-0123456789";
const SECOND = "pb-token-second-0123456789";
const WRONG = "pb-token-wrong-0123456789";

type Seen = { authorization: string | undefined; tokenInArgv: boolean };

/** Serves bare repositories under `root` with git http-backend to requests whose Basic auth is accepted. */
function gitHttpServer(root: string, accepted: Set<string>): { server: Server; seen: Seen[] } {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/moved/")) {
      res.writeHead(301, { Location: url.pathname.replace("/moved", "") + url.search });
      res.end();
      return;
    }
    seen.push({ authorization: req.headers.authorization, tokenInArgv: tokenInSomeArgv() });
    if (!req.headers.authorization || !accepted.has(req.headers.authorization)) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="patchbay-test"' });
      res.end("unauthorized\n");
      return;
    }
    serveGitRequest(root, req, res);
  });
  return { server, seen };
}

/** Whether any process on this machine has a token in its command line (git's argv must never hold one). */
function tokenInSomeArgv(): boolean {
  if (!existsSync("/proc")) return false;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if ([GOOD, SECOND, WRONG].some((token) => cmdline.includes(token) || cmdline.includes(Buffer.from(`x-access-token:${token}`).toString("base64")))) {
        return true;
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

const basic = (username: string, token: string) => `Basic ${Buffer.from(`${username}:${token}`).toString("base64")}`;

let repo: FixtureRepo;
let serveRoot: string;
let server: Server;
let seen: Seen[];
let base: string;
let mirrorsRoot: string;

beforeAll(async () => {
  repo = createFixtureRepo();
  serveRoot = mkdtempSync(path.join(tmpdir(), "patchbay-http-git-"));
  git(serveRoot, "clone", "-q", "--bare", repo.dir, path.join(serveRoot, "app.git"));
  const served = gitHttpServer(serveRoot, new Set([basic("x-access-token", GOOD), basic("x-access-token", SECOND), basic("ci-bot", SECOND)]));
  server = served.server;
  seen = served.seen;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mirrorsRoot = path.join(mkdtempSync(path.join(tmpdir(), "patchbay-mirrors-")), "m");
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const dir of [repo.dir, serveRoot, path.dirname(mirrorsRoot)]) rmSync(dir, { recursive: true, force: true });
});

function mirrors() {
  return createMirrorCache({ root: mirrorsRoot, timeoutMs: 30_000, allowLocal: true });
}

describe("mirror fetch with a token", () => {
  it("clones and then fetches with the right token, sent as Basic auth, never in argv or the mirror's config", async () => {
    const url = `${base}/app.git`;
    const credential: RepoCredential = { kind: "token", token: GOOD };
    seen.length = 0;
    const mirrorPath = await mirrors().sync(url, credential);
    expect(await mirrors().resolveBranch(mirrorPath, "main")).toBe(repo.baseCommit);
    expect(seen.some((request) => request.authorization === basic("x-access-token", GOOD))).toBe(true);
    expect(seen.some((request) => request.tokenInArgv)).toBe(false);

    // A new commit upstream reaches the existing mirror through fetch, with the same credential.
    const servedRepo = path.join(serveRoot, "app.git");
    git(repo.dir, "commit", "-q", "--allow-empty", "-m", "second");
    git(repo.dir, "push", "-q", servedRepo, "main");
    const head = git(repo.dir, "rev-parse", "HEAD");
    expect(await mirrors().sync(url, credential)).toBe(mirrorPath);
    expect(await mirrors().resolveBranch(mirrorPath, "main")).toBe(head);

    const config = (await runGit(["config", "--local", "--list"], { cwd: mirrorPath, timeoutMs: 5_000 })).stdout;
    expect(config).toContain(`remote.origin.url=${url}`);
    expect(config).not.toContain(GOOD);
    expect(config).not.toMatch(/extraheader|authorization/i);
    for (const name of readdirSync(mirrorsRoot)) expect(name).not.toContain(GOOD);
  });

  it("sends the configured user name", async () => {
    seen.length = 0;
    await mirrors().sync(`${base}/app.git`, { kind: "token", username: "ci-bot", token: SECOND });
    expect(seen.map((request) => request.authorization)).toContain(basic("ci-bot", SECOND));
  });

  it("fails with a clear message, without the token, when the repository refuses it", async () => {
    const error = await failure(mirrors().sync(`${base}/app.git`, { kind: "token", token: WRONG }));
    expect(error.code).toBe("repo_unreachable");
    expect(error.userMessage).toMatch(/^The repository refused the credential set on this environment/);
    const text = allText(error);
    expect(text).not.toContain(WRONG);
    expect(text).not.toContain(Buffer.from(`x-access-token:${WRONG}`).toString("base64"));
  });

  it("says a credential is needed when there is none", async () => {
    const error = await failure(mirrors().sync(`${base}/app.git`));
    expect(error.userMessage).toMatch(/needs a credential.*Set repoCredential on the environment/);
  });

  it("keeps one mirror per credential: two tokens for the same URL never share a directory", async () => {
    const url = `${base}/app.git`;
    const first = await mirrors().sync(url, { kind: "token", token: GOOD });
    const second = await mirrors().sync(url, { kind: "token", token: SECOND });
    expect(first).not.toBe(second);
    expect(path.basename(first)).toBe(`${mirrorKey(url, { kind: "token", token: GOOD })}.git`);
    expect(path.basename(second)).toBe(`${mirrorKey(url, { kind: "token", token: SECOND })}.git`);
    expect(existsSync(path.join(mirrorsRoot, `${mirrorKey(url, null)}.git`))).toBe(false);
  });

  it("does not follow a redirect, even to the same server", async () => {
    const error = await failure(mirrors().sync(`${base}/moved/app.git`, { kind: "token", token: GOOD }));
    expect(error.userMessage).toMatch(/redirects elsewhere, and Patchbay does not follow redirects/);
  });

  it("pins the connection to the checked address (curl resolves the name to it, not DNS)", async () => {
    // `.test` names never resolve; the fetch can only work if git connects where the pin says.
    const port = (server.address() as AddressInfo).port;
    const access = remoteAccess({
      target: { kind: "http", host: "git.patchbay.test", port, addresses: ["127.0.0.1"] },
      credential: { kind: "token", token: GOOD },
      knownHostsFile: "/dev/null",
      home: tmpdir(),
      keyFile: null,
    });
    const { stdout } = await runGit([...access.args, "ls-remote", `http://git.patchbay.test:${port}/app.git`, "main"], {
      timeoutMs: 20_000,
      env: access.env,
      transports: access.transports,
    });
    expect(stdout).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main$/m);
  });
});

describe("an environment's stored credential reaches the fetch", () => {
  it("the copy catalog opens the sealed token with the worker's key and fetches with it", async () => {
    const owner = await createPerson({ email: `repo-cred-${Date.now()}@example.com`, password: "a-good-long-password", role: "engineer" });
    const environment = await createEnvironment(owner.id, { name: "private repo", repoUrl: `${base}/app.git`, repoCredential: { kind: "token", token: GOOD } });
    const logger = createLogger("silent");
    seen.length = 0;
    const built = await buildCopyCatalog({ mirrors: mirrors(), logger, secretsKey: sharedEnv().PATCHBAY_SECRETS_KEY }, environment.id);
    expect(built.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(seen.some((request) => request.authorization === basic("x-access-token", GOOD))).toBe(true);
    // Without the key the sealed credential cannot be opened, and the fetch does not fall back to anonymous.
    const withoutKey = await buildCopyCatalog({ mirrors: mirrors(), logger }, environment.id).catch((e: unknown) => e);
    expect((withoutKey as AppError).code).toBe("secrets_unavailable");
  });
});
