// The only way the worker runs git on the host (docs/security.md §7). Repository config can name commands
// (fsmonitor, hooks, sshCommand, filters), so every call disables them and ignores system/global config.
// Host git only ever touches bare mirrors the sandbox cannot write.
import { execFile } from "node:child_process";
import { AppError } from "@/lib/errors";

export const GIT_HARDENING_FLAGS = [
  "-c",
  "core.fsmonitor=false",
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "diff.external=",
  "-c",
  "core.sshCommand=false",
  "-c",
  "protocol.ext.allow=never",
  "-c",
  "credential.helper=",
] as const;

/**
 * Which transports a call may use. `remote`: https and ssh only. `local`: file:// and plain http:// as
 * well, for URLs the repository URL check allowed as local (development mode, or the demo repository).
 */
export type GitTransports = "remote" | "local";

/**
 * After the hardening flags on every call: an allowlist of transports (protocol.allow=never, then the
 * allowed ones), and no redirects, because a redirect could lead a checked public URL to a private address.
 * Local transports are `user` rather than `always`: allowed for the URL we pass, never for a submodule.
 */
export function transportFlags(transports: GitTransports): string[] {
  const local = transports === "local" ? "user" : "never";
  return [
    "-c",
    "http.followRedirects=false",
    "-c",
    "protocol.allow=never",
    "-c",
    "protocol.https.allow=always",
    "-c",
    "protocol.ssh.allow=always",
    "-c",
    `protocol.file.allow=${local}`,
    "-c",
    `protocol.http.allow=${local}`,
  ];
}

export const GIT_HARDENING_ENV = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_ASKPASS: "/bin/false",
  SSH_ASKPASS: "/bin/false",
} as const;

export type GitResult = { stdout: string; stderr: string };

export type GitOptions = {
  cwd?: string;
  timeoutMs: number;
  /** Extra env (e.g. GIT_SSH_COMMAND for ssh remotes); never a token in argv. */
  env?: Record<string, string>;
  maxBuffer?: number;
  /** `remote` unless the repository URL check allowed a local URL (see transportFlags). */
  transports?: GitTransports;
};

/** Builds the argv for one call; exported so a unit test can check every call is hardened. */
export function gitArgv(args: readonly string[], transports: GitTransports = "remote"): string[] {
  return [...GIT_HARDENING_FLAGS, ...transportFlags(transports), ...args];
}

export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // A minimal env: nothing from the worker's own environment (model keys!) reaches git or its children.
  return minimalEnv({ PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/nonexistent", LANG: "C.UTF-8", ...GIT_HARDENING_ENV, ...extra });
}

/** Next's global types mark NODE_ENV as required on ProcessEnv; a child's env does not need it. */
export function minimalEnv(values: Record<string, string>): NodeJS.ProcessEnv {
  return values as NodeJS.ProcessEnv;
}

export function runGit(args: readonly string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      gitArgv(args, options.transports),
      {
        cwd: options.cwd,
        env: gitEnv(options.env),
        timeout: options.timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: options.maxBuffer ?? 16 * 1024 * 1024,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const timedOut = (error as NodeJS.ErrnoException & { killed?: boolean }).killed === true;
        reject(new GitError(args[0] ?? "git", stderr.trim() || error.message, timedOut));
      },
    );
  });
}

export class GitError extends Error {
  constructor(
    readonly subcommand: string,
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(timedOut ? `git ${subcommand} timed out` : `git ${subcommand} failed: ${stderr}`);
    this.name = "GitError";
  }
}

// Names git accepted. Its answer depends on the name alone, and the same few branches come with every task:
// each is checked once per worker process rather than costing a git process on every task's way to its
// first command.
const acceptedBranches = new Set<string>();
const ACCEPTED_BRANCHES_KEPT = 1000;

/** `git check-ref-format --branch`, the authority on branch names. */
export async function assertValidBranch(branch: string): Promise<void> {
  if (acceptedBranches.has(branch)) return;
  try {
    await runGit(["check-ref-format", "--branch", branch], { timeoutMs: 5_000 });
  } catch {
    throw new AppError("bad_request", `"${branch}" is not a valid branch name.`);
  }
  if (acceptedBranches.size >= ACCEPTED_BRANCHES_KEPT) acceptedBranches.clear();
  acceptedBranches.add(branch);
}
