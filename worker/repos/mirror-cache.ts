// Bare-mirror cache on the worker host: one mirror per repository URL and credential, fetched to update,
// never a full network clone when the mirror exists. Workspaces are materialized from the mirror
// (load-workspace.ts). The URL's host is checked right before every fetch, since DNS answers change.
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { AppError } from "@/lib/errors";
import { createRedactor } from "@/lib/redact";
import { checkRepoUrl, type ResolveHost } from "@/lib/repos/check-repo-url";
import { credentialMismatch, type RepoCredential } from "@/lib/repos/repo-credential";
import { assertValidBranch, GitError, runGit } from "./git";
import { mirrorsToRemove, type MirrorPrunePolicy, type MirrorUsage } from "./prune-mirrors";
import { withRemoteAccess, type RemoteAccess } from "./remote-access";

const run = promisify(execFile);

export type MirrorCacheOptions = {
  root: string;
  timeoutMs: number;
  allowLocal: boolean;
  /** file:// repositories Patchbay created itself (the demo) are allowed even without allowLocal. */
  localRoots?: readonly string[];
  /** How the repository host is resolved before each fetch; tests inject fixed answers. */
  resolveHost?: ResolveHost;
};

export type MirrorCache = {
  /** Creates or fetches the mirror for a URL (with the environment's opened credential, if any) and returns its path. */
  sync(repoUrl: string, credential?: RepoCredential | null): Promise<string>;
  /** The commit a branch points at in the mirror; throws branch_not_found with the known branches. */
  resolveBranch(mirrorPath: string, branch: string): Promise<string>;
  /** Removes mirrors past their TTL or budget (prune-mirrors.ts) and leftovers of interrupted clones; returns what went. */
  prune(policy: MirrorPrunePolicy): Promise<{ removed: string[]; keptBytes: number }>;
};

/** Touched on every sync: when the mirror was last used, for pruning. Git ignores unknown files in a bare repository. */
const LAST_USED_FILE = "patchbay-last-used";

// Syncs of the same mirror never run at once (they would race on one directory): one is in flight, at
// most one waits to start after it (shared by every caller meanwhile). A sync waits for a removal of its
// mirror by prune to finish, then clones anew.
const inFlight = new Map<string, Promise<string>>();
const nextSyncs = new Map<string, Promise<string>>();
const removals = new Map<string, Promise<void>>();

/**
 * The mirror's name: the URL's hash, plus the credential's for an environment that has one. A mirror
 * fetched with one environment's credential then never serves another environment's task; environments
 * without a credential share the anonymous mirror (named as before credentials existed).
 */
export function mirrorKey(repoUrl: string, credential: RepoCredential | null): string {
  const hash = createHash("sha256").update(repoUrl);
  if (credential) hash.update("\0credential\0").update(credentialFingerprint(credential));
  return hash.digest("hex").slice(0, 32);
}

function credentialFingerprint(credential: RepoCredential): string {
  const parts = credential.kind === "token" ? [credential.kind, credential.username ?? "", credential.token] : [credential.kind, credential.privateKey];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

export function createMirrorCache(options: MirrorCacheOptions): MirrorCache {
  async function syncOnce(repoUrl: string, credential: RepoCredential | null, key: string): Promise<string> {
    const mirrorPath = path.join(options.root, `${key}.git`);
    const target = await checkRepoUrl(repoUrl, {
      allowLocal: options.allowLocal,
      localRoots: options.localRoots ?? [],
      ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
    });
    const mismatch = credential ? credentialMismatch(target.kind, credential.kind) : null;
    if (mismatch) throw new AppError("bad_request", `The environment's repository credential does not fit its URL: ${mismatch}`);
    const exists = await stat(path.join(mirrorPath, "HEAD")).then(
      () => true,
      () => false,
    );
    await mkdir(options.root, { recursive: true });
    await withRemoteAccess({ target, credential, knownHostsFile: path.join(options.root, `${key}.known_hosts`) }, async (access) => {
      try {
        if (exists) {
          await runRemote(access, ["fetch", "--prune", "--no-write-fetch-head", "origin"], mirrorPath);
        } else {
          // Clone into a temporary name, then rename: a killed clone never leaves a half mirror behind.
          const partial = `${mirrorPath}.partial-${process.pid}-${Date.now()}`;
          try {
            await runRemote(access, ["clone", "--mirror", "--no-hardlinks", "--", repoUrl, partial]);
            await rename(partial, mirrorPath);
          } finally {
            await rm(partial, { recursive: true, force: true });
          }
        }
      } catch (error) {
        throw unreachable(repoUrl, error, { credential: credential !== null, secrets: access.secrets });
      }
    });
    await markUsed(mirrorPath);
    return mirrorPath;
  }

  function runRemote(access: RemoteAccess, args: string[], cwd?: string) {
    return runGit([...access.args, ...args], { timeoutMs: options.timeoutMs, env: access.env, transports: access.transports, ...(cwd ? { cwd } : {}) });
  }

  return {
    sync(repoUrl, credential = null) {
      const key = mirrorKey(repoUrl, credential);
      const mirrorPath = path.join(options.root, `${key}.git`);
      const start = () => {
        const removal = removals.get(mirrorPath) ?? Promise.resolve();
        const promise = removal
          .then(() => syncOnce(repoUrl, credential, key))
          .finally(() => {
            if (inFlight.get(mirrorPath) === promise) inFlight.delete(mirrorPath);
          });
        inFlight.set(mirrorPath, promise);
        return promise;
      };
      // A caller must see the remote as it was when it asked. A fetch already running may have started
      // before a push this caller knows of, so it gets the next fetch, which starts when the running one
      // ends and is shared by everyone who asks in the meantime.
      const queued = nextSyncs.get(mirrorPath);
      if (queued) return queued;
      const running = inFlight.get(mirrorPath);
      if (!running) return start();
      const next = running
        .catch(() => undefined)
        .then(() => {
          nextSyncs.delete(mirrorPath);
          return start();
        });
      nextSyncs.set(mirrorPath, next);
      return next;
    },

    async prune(policy) {
      const now = Date.now();
      const entries = await readdir(options.root).catch(() => [] as string[]);
      const removed: string[] = [];
      // A clone killed before its rename leaves a partial directory; one older than the idle time is dead.
      for (const name of entries.filter((entry) => entry.includes(".git.partial-"))) {
        const partial = path.join(options.root, name);
        const found = await stat(partial).catch(() => null);
        if (!found || now - found.mtimeMs <= policy.minIdleMs) continue;
        await rm(partial, { recursive: true, force: true });
        removed.push(partial);
      }
      const usage: MirrorUsage[] = [];
      for (const name of entries.filter((entry) => entry.endsWith(".git"))) {
        const mirrorPath = path.join(options.root, name);
        if (inFlight.has(mirrorPath)) continue;
        const lastUsedMs = await stat(path.join(mirrorPath, LAST_USED_FILE)).then(
          (found) => found.mtimeMs,
          () => stat(mirrorPath).then((found) => found.mtimeMs),
        );
        usage.push({ path: mirrorPath, lastUsedMs, bytes: await diskUsage(mirrorPath) });
      }
      const chosen = mirrorsToRemove(usage, policy, now);
      for (const mirror of chosen) {
        // Checked again: a sync may have started while the others were measured.
        if (inFlight.has(mirror.path)) continue;
        const removal = (async () => {
          await rm(mirror.path, { recursive: true, force: true });
          await rm(mirror.path.replace(/\.git$/, ".known_hosts"), { force: true });
        })().finally(() => removals.delete(mirror.path));
        removals.set(mirror.path, removal);
        await removal;
        removed.push(mirror.path);
      }
      const keptBytes = usage.filter((mirror) => !chosen.includes(mirror)).reduce((sum, mirror) => sum + mirror.bytes, 0);
      return { removed, keptBytes };
    },

    async resolveBranch(mirrorPath, branch) {
      await assertValidBranch(branch);
      try {
        const { stdout } = await runGit(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], { cwd: mirrorPath, timeoutMs: 10_000 });
        return stdout.trim();
      } catch {
        const { stdout } = await runGit(["for-each-ref", "--count=20", "--format=%(refname:short)", "refs/heads/"], { cwd: mirrorPath, timeoutMs: 10_000 });
        const known = stdout.split("\n").filter(Boolean);
        throw new AppError(
          "branch_not_found",
          `Branch "${branch}" does not exist in the repository.${known.length ? ` Branches: ${known.join(", ")}.` : " The repository has no branches."}`,
        );
      }
    },
  };
}

async function markUsed(mirrorPath: string): Promise<void> {
  const file = path.join(mirrorPath, LAST_USED_FILE);
  const now = new Date();
  await utimes(file, now, now).catch(() => writeFile(file, ""));
}

async function diskUsage(dir: string): Promise<number> {
  const { stdout } = await run("du", ["-sb", dir], { timeout: 60_000 });
  return Number.parseInt(stdout, 10) || 0;
}

function unreachable(repoUrl: string, error: unknown, context: { credential: boolean; secrets: readonly string[] }): AppError {
  if (error instanceof AppError) return error;
  // git does not print the header, but nothing that held the token leaves here unscrubbed, not even the cause.
  const scrub = createRedactor(context.secrets.map((value) => ({ name: "repoCredential", value }))).redact;
  const stderr = error instanceof GitError ? scrub(error.stderr) : "";
  const cause = error instanceof GitError ? new GitError(error.subcommand, stderr, error.timedOut) : new Error(scrub(String(error)));
  const detail = error instanceof GitError ? (error.timedOut ? "the fetch timed out" : gitProblem(stderr)) : scrub(String(error));
  let message = `Could not fetch the repository ${repoUrl}: ${detail}. Check the URL and that the worker host can reach it.`;
  const auth = authProblem(stderr);
  if (auth) {
    message = context.credential
      ? `The repository refused the credential set on this environment (${auth}). Check that the token or deploy key is current and may read ${repoUrl}, then set it again.`
      : `The repository ${repoUrl} needs a credential (${auth}). Set repoCredential on the environment: a token for an https URL, a deploy key for an ssh URL.`;
  } else if (/returned error: 30[12378]\b/.test(stderr)) {
    message = `The repository URL ${repoUrl} redirects elsewhere, and Patchbay does not follow redirects (one could lead to a private address). Use the URL it redirects to.`;
  } else if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/.test(stderr)) {
    message = `The ssh host key of the repository ${repoUrl} is not the one Patchbay saw on its first fetch. If the host really changed its key, remove the mirror's .known_hosts file under the worker's mirrors directory.`;
  }
  return new AppError("repo_unreachable", message, { cause });
}

/** What an authentication failure looked like, in words, or null when the failure was something else. */
function authProblem(stderr: string): string | null {
  // With prompts off, git answers an HTTP 401 by failing to ask for a user name.
  if (/could not read (Username|Password)|Authentication failed|returned error: 401\b/i.test(stderr)) return "HTTP 401: authentication required or refused";
  if (/returned error: 403\b/.test(stderr)) return "HTTP 403: access denied";
  const ssh = /Permission denied \([^)]*\)/.exec(stderr);
  return ssh ? `ssh: ${ssh[0]}` : null;
}

/**
 * The line of git's stderr that says what went wrong. Not simply the last line: for a missing repository
 * git ends with "...and the repository exists.", while the cause is the first `fatal:` line.
 */
function gitProblem(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const problem = lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.at(-1) ?? "unknown error";
  return problem
    .replace(/^(fatal|error):\s*/, "")
    .replace(/\.+$/, "")
    .slice(0, 500);
}
